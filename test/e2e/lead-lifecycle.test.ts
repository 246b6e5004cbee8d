import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LeadState } from '../../src/shared/lead-types.js';
import { leadEventSignal } from '../../src/shared/messages.js';
import { leadSync } from '../../src/workflows/lead-sync.js';
import { leadWorkflowId } from '../../src/shared/ids.js';
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
      env: { LEADSYNC_API_KEY: API_KEY, LEADSYNC_LEAD_IDLE_TIMEOUT_MS: '2000' },
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

  /** The statuses of the lead workflow's runs, oldest first. */
  const runs = async (workflowId: string) => {
    const found = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
      found.push({ status: run.status.name, start: run.startTime.getTime() });
    return found.sort((x, y) => x.start - y.start).map((r) => r.status);
  };

  it('never completes while the lead exists: when idle it continues as new, keeping failed events, seen ids and replay guards', async () => {
    const email = `idle-${Date.now()}@example.com`;
    const workflowId = leadWorkflowId(service.portalId()!, email);
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

    // Idle past the timeout: the run continues as new and the new one waits; nothing completes.
    /** At least `n` idle continue-as-new runs before the one running now; nothing completed. */
    const idledAtLeast = async (n: number) => {
      const statuses = await runs(workflowId);
      return (
        statuses.at(-1) === 'RUNNING' &&
        statuses.slice(0, -1).every((s) => s === 'CONTINUED_AS_NEW') &&
        statuses.length - 1 >= n
      );
    };
    await eventually(() => idledAtLeast(1), { what: 'the idle lead to continue as new' });
    const idle = await state(email);
    assert.equal(idle.hubspotId, first.hubspotId, 'the new run knows the contact');
    assert.equal(idle.failed.length, 1, 'and the failed event');

    // A repeat of an event the first run applied, then a new one.
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
    assert.equal(next.failed[0]!.event.eventId, 'idle-2', 'the failed event is still there to replay');
    assert.equal(next.processedEvents, 3, 'two events in the first run, one in the second; the repeat was dropped');
    assert.equal(service.sandbox!.contacts.all().filter((c) => c.properties.email === email).length, 1);

    // A newer value, idle again, then the operator replays the old failure.
    await api.patch(`v1/leads/${email}`, { json: { properties: { jobtitle: 'Newer' }, eventId: 'idle-4' } });
    await eventually(async () => (await state(email)).properties.jobtitle === 'Newer', { what: 'the newer value' });
    const before = (await runs(workflowId)).length;
    await eventually(() => idledAtLeast(before), { what: 'another idle continue-as-new after the newer value' });
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
    assert.ok(!(await runs(workflowId)).includes('COMPLETED'), 'no run of a living lead completed');
  });

  it('forgets for good: a GDPR delete ends the workflow, and a later register is a new lead', async () => {
    const email = `forget-${Date.now()}@example.com`;
    const workflowId = leadWorkflowId(service.portalId()!, email);
    await api.post('v1/leads', { json: { email, properties: { firstname: 'Forget' } } });
    await api.post(`v1/leads/${email}/unsubscribe`, { json: {} });
    await eventually(async () => (await state(email)).subscription.unsubscribedFromAll, { what: 'the unsubscribe' });
    service.sandbox!.faults.failNext({
      route: 'contacts.batchUpsert',
      status: 400,
      body: validationErrorBody,
    });
    await api.patch(`v1/leads/${email}`, { json: { properties: { phone: '+33 1 23 45 67 89' } } });
    await eventually(async () => (await state(email)).failed.length === 1, { what: 'the failed event' });
    await api.delete(`v1/leads/${email}`);
    await eventually(async () => (await runs(workflowId)).at(-1) === 'COMPLETED', {
      what: 'the workflow to end after the delete',
    });
    const deleted = await state(email);
    assert.equal(deleted.deleted, true);
    assert.deepEqual(deleted.failed, [], 'the failed event and its personal data are gone');
    assert.deepEqual(deleted.properties, {});
    assert.equal(service.sandbox!.contacts.byEmail(email), undefined);

    // Operator actions on a forgotten lead are refused rather than recreating it.
    for (const action of ['retry-failed', 'resync']) {
      const res = await api.post(`v1/leads/${email}/${action}`, { json: {}, responseType: 'json' });
      assert.equal(res.statusCode, 404, action);
      assert.equal((res.body as { error: string }).error, 'not_found');
    }
    assert.equal(service.sandbox!.contacts.byEmail(email), undefined);

    // A new register starts a new lead, with nothing of the old one.
    await api.post('v1/leads', { json: { email, properties: { lastname: 'Anew' } } });
    const anew = await eventually(
      async () => {
        const s = await state(email);
        return s.hubspotId && s.pending.length === 0 ? s : undefined;
      },
      { what: 'the new lead' },
    );
    assert.deepEqual(anew.properties, { lastname: 'Anew' });
    assert.deepEqual(anew.subscription, { unsubscribedFromAll: false, unsubscribed: [] });
    assert.equal(anew.processedEvents, 1);
    assert.equal(anew.deleted, false);
    assert.equal((await runs(workflowId)).at(-1), 'RUNNING');
  });

  it('continues as new with its queue, state and seen event ids', async () => {
    const email = `can-${Date.now()}@example.com`;
    const workflowId = leadWorkflowId(service.portalId()!, email);
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
    const statuses = await runs(workflowId);
    assert.ok(statuses.filter((s) => s === 'CONTINUED_AS_NEW').length >= 2, `runs: ${statuses.join(', ')}`);

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
