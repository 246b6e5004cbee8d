import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import got from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { ConnectionStatus } from '../../src/shared/connection-types.js';
import type { LeadState } from '../../src/shared/lead-types.js';
import { leadWorkflowId } from '../../src/shared/ids.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';
import { leadEventSignal } from '../../src/shared/messages.js';
import { leadSync } from '../../src/workflows/lead-sync.js';

/** Above what a lead's history holds when it parks, below what it holds once it has waited and been woken. */
const PARKED_HISTORY_LIMIT = 22;
import { connectTemporal } from '../helpers/temporal.js';

describe('a static token on the legacy v3 paths', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;
  const services: TestService[] = [];

  before(async () => {
    ({ env, close } = await connectTemporal());
    sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e9) });
  });
  after(async () => {
    for (const s of services) await s.stop();
    await sandbox?.close();
    await close();
  });

  const start = async (token: string, taskQueue = `static-${randomUUID()}`) => {
    const service = await startTestService({
      temporalAddress: env.address,
      env: {
        HUBSPOT_ACCESS_TOKEN: token,
        HUBSPOT_BASE_URL: sandbox.baseUrl,
        HUBSPOT_PORTAL_ID: String(sandbox.portalId),
        HUBSPOT_API_VERSION: 'v3',
        TEMPORAL_TASK_QUEUE: taskQueue,
      },
    });
    services.push(service);
    const api = got.extend({
      prefixUrl: service.httpUrl,
      throwHttpErrors: false,
      retry: { limit: 0 },
      responseType: 'json',
    });
    const lead = async (email: string) => (await api.get(`v1/leads/${email}`)).body as LeadState;
    return { service, api, lead, taskQueue };
  };

  it('registers, updates, unsubscribes (one and all) and deletes through the v3 paths', async () => {
    const { api, lead } = await start(sandbox.staticToken);
    const email = `v3-${Date.now()}@example.com`;
    await api.post('v1/leads', { json: { email, properties: { firstname: 'Vee', lastname: 'Three' } } });
    await api.patch(`v1/leads/${email}`, { json: { properties: { jobtitle: 'Legacy' } } });
    await eventually(async () => (await lead(email)).properties.jobtitle === 'Legacy', { what: 'the writes' });
    assert.equal(sandbox.contacts.byEmail(email)!.properties.jobtitle, 'Legacy');

    const [subscriptionId] = Object.keys(sandbox.subscriptionStatus(email).statuses).map(Number);
    assert.ok(subscriptionId !== undefined);
    await api.post(`v1/leads/${email}/unsubscribe`, { json: { subscriptionId: String(subscriptionId) } });
    await api.post(`v1/leads/${email}/unsubscribe`, { json: {} });
    const unsubscribed = await eventually(
      async () => {
        const s = await lead(email);
        return s.subscription.unsubscribedFromAll && s.pending.length === 0 ? s : undefined;
      },
      { what: 'both unsubscribes' },
    );
    assert.deepEqual(unsubscribed.failed, [], 'already unsubscribed from the first one counts as success');
    const statuses = Object.values(sandbox.subscriptionStatus(email).statuses);
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 'UNSUBSCRIBED'), JSON.stringify(statuses));

    await api.delete(`v1/leads/${email}`);
    await eventually(async () => (await lead(email)).deleted, { what: 'the GDPR delete' });
    assert.equal(sandbox.contacts.byEmail(email), undefined);
    assert.ok(sandbox.counters().requestsByRoute['contacts.batchUpsert']! > 0);
  });

  it('parks leads on a rejected token without a retry storm, and resumes them when the service restarts with a good one', async () => {
    const wrong = await start('pat-na1-not-a-real-token');
    const email = `wrong-token-${Date.now()}@example.com`;
    const unknownBefore = sandbox.counters().unknownTokenUses;
    // Started as the client starts it, with a history limit the parked lead crosses while it waits.
    await env.client.workflow.signalWithStart(leadSync, {
      workflowId: leadWorkflowId(String(sandbox.portalId), email),
      taskQueue: wrong.taskQueue,
      args: [{ email, portalId: String(sandbox.portalId), continueAsNewAfterEvents: PARKED_HISTORY_LIMIT }],
      signal: leadEventSignal,
      signalArgs: [
        {
          kind: 'register',
          properties: { firstname: 'Wrong' },
          eventId: 'wrong-1',
          email,
          receivedAt: new Date().toISOString(),
        },
      ],
    });
    const blocked = await eventually(
      async () => {
        const s = await wrong.lead(email);
        return s.status === 'blocked' ? s : undefined;
      },
      { what: 'the lead to park' },
    );
    assert.deepEqual(blocked.failed, []);
    const connection = (await wrong.api.get('v1/connection')).body as ConnectionStatus;
    assert.equal(connection.state, 'needs_reauth');
    assert.equal(connection.mode, 'static');
    assert.match(connection.lastError ?? '', /Authentication credentials not found/);
    const spent = sandbox.counters().unknownTokenUses - unknownBefore;
    assert.ok(spent >= 1 && spent <= 2, `calls with the rejected token: ${spent}`);
    await wrong.service.stop();
    services.splice(services.indexOf(wrong.service), 1);

    const fixed = await start(sandbox.staticToken, wrong.taskQueue);
    const synced = await eventually(
      async () => {
        const s = await fixed.lead(email);
        return s.status === 'synced' && s.hubspotId ? s : undefined;
      },
      { what: 'the parked lead to sync after the restart' },
    );
    assert.equal(sandbox.contacts.byEmail(email)!.id, synced.hubspotId);
    assert.equal(((await fixed.api.get('v1/connection')).body as ConnectionStatus).state, 'connected');
    assert.equal(sandbox.counters().unknownTokenUses - unknownBefore, spent, 'nothing retried the bad token meanwhile');
    assert.equal(synced.processedEvents, 1);
    assert.equal(synced.properties.firstname, 'Wrong');
    const runs = [];
    for await (const run of env.client.workflow.list({
      query: `WorkflowId = "${leadWorkflowId(String(sandbox.portalId), email)}"`,
    }))
      runs.push(run.status.name);
    assert.ok(
      runs.includes('CONTINUED_AS_NEW'),
      `the parked event went to a new run with the queue: ${runs.join(', ')}`,
    );
  });
});

describe('a static token without HUBSPOT_PORTAL_ID', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;

  before(async () => ({ env, close } = await connectTemporal()));
  after(async () => close());
  // A portal of its own for each test: its connection workflow belongs to that test's task queue.
  beforeEach(async () => (sandbox = await startSandbox({ portalId: 100_000 + Math.floor(Math.random() * 1e8) })));
  afterEach(async () => sandbox.close());

  const config = (token: string, dataDir?: string, taskQueue = `static-${randomUUID()}`) => ({
    temporalAddress: env.address,
    dataDir,
    env: { HUBSPOT_ACCESS_TOKEN: token, HUBSPOT_BASE_URL: sandbox.baseUrl, TEMPORAL_TASK_QUEUE: taskQueue },
  });

  it("learns its portal from HubSpot's account details, so lead ids carry it", async () => {
    const service = await startTestService(config(sandbox.staticToken));
    try {
      assert.equal(service.portalId(), String(sandbox.portalId));
      const email = `learned-${Date.now()}@example.com`;
      const accepted = await service.leads().register({ email });
      assert.equal(accepted.workflowId, `lead:${sandbox.portalId}:${email}`);
      const synced = await eventually(async () => (await service.leads().status(email))?.hubspotId, {
        what: 'the register',
      });
      assert.equal(sandbox.contacts.byEmail(email)?.id, synced);
    } finally {
      await service.stop();
    }
  });

  it('through an outage of HubSpot uses the portal an earlier start learned; a rejected token stops start-up and says why', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-portal-'));
    try {
      const taskQueue = `static-${randomUUID()}`;
      await (await startTestService(config(sandbox.staticToken, dataDir, taskQueue))).stop();
      sandbox.faults.failNext({ route: 'accountInfo.details', status: 503 });
      const remembered = await startTestService(config(sandbox.staticToken, dataDir, taskQueue));
      assert.equal(remembered.portalId(), String(sandbox.portalId));
      await remembered.stop();
      assert.equal(sandbox.counters().injectedErrors, 1, 'the outage was met');
      for (const dir of [dataDir, undefined]) {
        await assert.rejects(
          startTestService(config('pat-na1-rejected-token', dir, taskQueue)),
          (err: Error) =>
            /could not learn which portal HUBSPOT_ACCESS_TOKEN belongs to/.test(err.message) &&
            /HUBSPOT_PORTAL_ID/.test(err.message) &&
            !err.message.includes('pat-na1-rejected-token'),
        );
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
