import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LeadState } from '../../src/shared/lead-types.js';
import { leadEventSignal } from '../../src/shared/messages.js';
import { leadSync } from '../../src/workflows/lead-sync.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';
import { connectTemporal } from '../helpers/temporal.js';
import { validationErrorBody } from '../helpers/hubspot-answers.js';

const API_KEY = 'test-api-key-0123456789';

describe('lead workflow lifecycle and API authentication', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService;
  let api: typeof got;

  before(async () => {
    ({ env, close } = await connectTemporal());
    service = await startTestService({
      temporalAddress: env.address,
      env: { LEADSYNC_API_KEY: API_KEY, LEADSYNC_LEAD_IDLE_TIMEOUT_MS: '1500' },
    });
    api = got.extend({
      prefixUrl: service.httpUrl,
      throwHttpErrors: false,
      retry: { limit: 0 },
      headers: { authorization: `Bearer ${API_KEY}` },
    });
  });
  after(async () => {
    await service?.stop();
    await close();
  });

  const state = async (email: string) =>
    (await api.get(`v1/leads/${email}`, { responseType: 'json' })).body as LeadState;

  it('requires the bearer API key when one is configured; health stays open', async () => {
    const body = { json: { email: 'auth@example.com' } };
    assert.equal((await got.post(`${service.httpUrl}/v1/leads`, { ...body, throwHttpErrors: false })).statusCode, 401);
    assert.equal(
      (
        await got.post(`${service.httpUrl}/v1/leads`, {
          ...body,
          throwHttpErrors: false,
          headers: { authorization: 'Bearer wrong-key-wrong-key' },
        })
      ).statusCode,
      401,
    );
    assert.equal((await got.get(`${service.httpUrl}/v1/connection`, { throwHttpErrors: false })).statusCode, 401);
    assert.equal((await api.post('v1/leads', body)).statusCode, 202);
    assert.equal((await got.get(`${service.httpUrl}/healthz`, { throwHttpErrors: false })).statusCode, 200);
  });

  it('starts an OAuth install only with the key or an install link made with it', async () => {
    const anonymous = await got.get(`${service.httpUrl}/oauth/install`, {
      throwHttpErrors: false,
      followRedirect: false,
    });
    assert.equal(anonymous.statusCode, 401);
    assert.match(anonymous.body, /install link/);
    assert.equal(
      (await got.post(`${service.httpUrl}/v1/oauth/install-link`, { throwHttpErrors: false })).statusCode,
      401,
    );
    const link = (await api.post('v1/oauth/install-link', { responseType: 'json' })).body as { url: string };
    assert.match(link.url, /\/oauth\/install\?ticket=/);
    const started = await got.get(link.url, { throwHttpErrors: false, followRedirect: false });
    assert.equal(started.statusCode, 302);
    assert.ok(started.headers.location?.startsWith(`${service.sandbox!.baseUrl}/oauth/authorize?`));
    const tampered = await got.get(link.url.replace(/ticket=./, 'ticket=x'), {
      throwHttpErrors: false,
      followRedirect: false,
    });
    assert.equal(tampered.statusCode, 401);
  });

  it('completes when idle; the next event continues from the completed run, keeping failed events and dropping repeats', async () => {
    const email = `idle-${Date.now()}@example.com`;
    await api.post('v1/leads', { json: { email, properties: { firstname: 'Idle' }, eventId: 'idle-1' } });
    await eventually(async () => (await state(email)).hubspotId, { what: 'the register' });
    service.sandbox!.faults.failNext({
      route: 'contacts.batchUpsert',
      status: 400,
      body: validationErrorBody,
    });
    await api.patch(`v1/leads/${email}`, { json: { properties: { jobtitle: 'Rejected' }, eventId: 'idle-2' } });
    const first = await eventually(
      async () => {
        const s = await state(email);
        return s.failed.length === 1 && s.hubspotId ? s : undefined;
      },
      { what: 'the first run to settle' },
    );

    const handle = env.client.workflow.getHandle(`lead:${email}`);
    await eventually(async () => (await handle.describe()).status.name === 'COMPLETED', {
      what: 'the idle lead workflow to complete',
    });
    const afterCompletion = await state(email);
    assert.equal(afterCompletion.hubspotId, first.hubspotId, 'a completed lead still answers GET');

    // A repeat of an event the completed run applied, then a new one.
    await api.patch(`v1/leads/${email}`, { json: { properties: { firstname: 'Idle' }, eventId: 'idle-1' } });
    await api.patch(`v1/leads/${email}`, { json: { properties: { lastname: 'Again' }, eventId: 'idle-3' } });
    const next = await eventually(
      async () => {
        const s = await state(email);
        return s.properties.lastname === 'Again' && s.pending.length === 0 ? s : undefined;
      },
      { what: 'the new run to apply the new event' },
    );
    assert.equal(next.hubspotId, first.hubspotId);
    assert.equal(next.properties.firstname, 'Idle');
    assert.equal(next.failed.length, 1, 'the failed event is still there to replay');
    assert.equal(next.failed[0]!.event.eventId, 'idle-2');
    assert.equal(next.processedEvents, 3, 'two events in the first run, one in the second; the repeat was dropped');
    assert.equal(service.sandbox!.contacts.all().filter((c) => c.properties.email === email).length, 1);

    // A newer value, the run completes again, then the operator replays the old failure on the completed lead.
    await api.patch(`v1/leads/${email}`, { json: { properties: { jobtitle: 'Newer' }, eventId: 'idle-4' } });
    await eventually(async () => (await state(email)).properties.jobtitle === 'Newer', { what: 'the newer value' });
    await eventually(async () => (await handle.describe()).status.name === 'COMPLETED', {
      what: 'the second run to complete',
    });
    assert.equal((await api.post(`v1/leads/${email}/retry-failed`, { json: {} })).statusCode, 202);
    const replayed = await eventually(
      async () => {
        const s = await state(email);
        return s.failed.length === 0 && s.pending.length === 0 && s.processedEvents === 5 ? s : undefined;
      },
      { what: 'the replay of the failed event from an earlier run' },
    );
    assert.equal(replayed.properties.jobtitle, 'Newer', 'the replayed older event did not overwrite the newer value');
    assert.equal(service.sandbox!.contacts.byEmail(email)!.properties.jobtitle, 'Newer');
  });

  it('forgets for good: a GDPR delete drops older failed events, so a replay cannot bring the contact back', async () => {
    const email = `forget-${Date.now()}@example.com`;
    await api.post('v1/leads', { json: { email, properties: { firstname: 'Forget' } } });
    await eventually(async () => (await state(email)).hubspotId, { what: 'the register' });
    service.sandbox!.faults.failNext({
      route: 'contacts.batchUpsert',
      status: 400,
      body: validationErrorBody,
    });
    await api.patch(`v1/leads/${email}`, { json: { properties: { phone: '+33 1 23 45 67 89' } } });
    await eventually(async () => (await state(email)).failed.length === 1, { what: 'the failed event' });
    await api.delete(`v1/leads/${email}`);
    const deleted = await eventually(
      async () => {
        const s = await state(email);
        return s.deleted ? s : undefined;
      },
      { what: 'the delete' },
    );
    assert.deepEqual(deleted.failed, [], 'the failed event and its personal data are gone');
    await api.post(`v1/leads/${email}/retry-failed`, { json: {} });
    await api.post(`v1/leads/${email}/resync`, { json: {} });
    const after = await eventually(
      async () => {
        const s = await state(email);
        return s.processedEvents === 4 && s.pending.length === 0 ? s : undefined;
      },
      { what: 'the resync after the delete' },
    );
    assert.equal(after.deleted, true);
    assert.equal(service.sandbox!.contacts.byEmail(email), undefined);
  });

  it('continues as new with its queue, state and seen event ids', async () => {
    const email = `can-${Date.now()}@example.com`;
    const workflowId = `lead:${email}`;
    // Started the way the client starts it, but with a history limit small enough to cross several times.
    await env.client.workflow.signalWithStart(leadSync, {
      workflowId,
      taskQueue: service.taskQueue,
      args: [{ email, portalId: service.portalId()!, continueAsNewAfterEvents: 40 }],
      signal: leadEventSignal,
      signalArgs: [
        {
          kind: 'register',
          properties: { firstname: 'Can' },
          eventId: 'can-0',
          email,
          receivedAt: new Date().toISOString(),
        },
      ],
    });
    for (let i = 1; i <= 20; i++) {
      await api.patch(`v1/leads/${email}`, { json: { properties: { jobtitle: `step-${i}` }, eventId: `can-${i}` } });
      await eventually(async () => (await state(email)).processedEvents === i + 1, { what: `event ${i}` });
    }
    const runs = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
      runs.push(run.status.name);
    assert.ok(runs.filter((s) => s === 'CONTINUED_AS_NEW').length >= 2, `runs: ${runs.join(', ')}`);

    await api.patch(`v1/leads/${email}`, { json: { properties: { jobtitle: 'step-1' }, eventId: 'can-1' } });
    await api.patch(`v1/leads/${email}`, { json: { properties: { city: 'Lyon' }, eventId: 'can-21' } });
    const final = await eventually(
      async () => {
        const s = await state(email);
        return s.properties.city === 'Lyon' ? s : undefined;
      },
      { what: 'the last event' },
    );
    assert.equal(final.properties.jobtitle, 'step-20', 'the repeated early event was dropped after continue-as-new');
    assert.equal(final.processedEvents, 22);
    assert.equal(service.sandbox!.contacts.byEmail(email)!.properties.jobtitle, 'step-20');
  });
});
