import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LeadSyncClient } from '../../src/client/lead-sync-client.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { reauthorizeConnection } from '../../src/service/connection.js';
import { leadWorkflowId } from '../../src/shared/ids.js';
import type { LeadEvent } from '../../src/shared/lead-types.js';
import { leadEventSignal } from '../../src/shared/messages.js';
import { BackendReceiver } from '../helpers/backend-receiver.js';
import { oauthWorkerEnv, spawnEntry } from '../helpers/entry-process.js';
import { eventually } from '../helpers/service.js';
import { connectTemporal, testKeyString } from '../helpers/temporal.js';

const SECRET = 'backend-secret-for-the-crash-test';

describe('a worker killed with SIGKILL while it delivers a HubSpot change to the backend', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;
  let backend: BackendReceiver;
  const workers: ChildProcess[] = [];

  before(async () => {
    ({ env, close } = await connectTemporal());
    sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e9) });
    backend = await BackendReceiver.start(SECRET);
  });
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await backend?.close();
    await sandbox?.close();
    await close();
  });

  it('delivers it after the restart, with the same id, and counts it once', async () => {
    const taskQueue = `delivery-crash-${randomUUID()}`;
    const workerEnv = {
      ...oauthWorkerEnv({ temporalAddress: env.address, taskQueue, sandbox, encryptionKey: testKeyString }),
      LEADSYNC_BACKEND_WEBHOOK_URL: backend.url,
      LEADSYNC_BACKEND_WEBHOOK_SECRET: SECRET,
    };
    const start = async () => {
      const worker = spawnEntry('src/worker.ts', workerEnv);
      workers.push(worker.child);
      await eventually(() => worker.output().includes('worker polling'), { timeoutMs: 60_000, what: 'the worker' });
      return worker;
    };
    const first = await start();
    const portalId = String(sandbox.portalId);
    await reauthorizeConnection(
      { client: env.client, taskQueue, portalId, mode: 'oauth' },
      { refreshToken: sandbox.issueRefreshToken() },
    );
    const leads = new LeadSyncClient({ client: env.client, portalId, taskQueue });
    const email = 'crash-delivery@example.com';
    await leads.register({ email, properties: { firstname: 'Before' } });
    const lead = await eventually(async () => {
      const s = await leads.status(email);
      return s?.status === 'synced' && s.hubspotId !== undefined && s;
    });

    // The change feed's hand-over, as a webhook would have made it: a rep renamed the contact in HubSpot.
    backend.answerNext('hang');
    const change: LeadEvent = {
      kind: 'hubspot',
      eventId: `hubspot:crash:${randomUUID()}`,
      email,
      receivedAt: new Date().toISOString(),
      change: {
        type: 'properties',
        contactId: lead.hubspotId!,
        properties: { firstname: 'After' },
        occurredAt: Date.now() + 1_000,
        source: 'CRM_UI',
      },
      deliver: true,
    };
    await env.client.workflow.getHandle(leadWorkflowId(portalId, email)).signal(leadEventSignal, change);
    await eventually(() => backend.received.length === 1, { what: 'the delivery to be in flight' });
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await start();
    const [delivered] = await eventually(() => backend.accepted().length === 1 && backend.accepted(), {
      timeoutMs: 90_000,
      what: 'the delivery to be retried by the new worker',
    });
    assert.deepEqual(delivered!.changes, { firstname: 'After' });
    assert.equal(backend.received.length, 2, 'the lost attempt and its retry');
    assert.equal(new Set(backend.received.map((r) => r.delivery.id)).size, 1, 'one id for both attempts');
    assert.ok(backend.received.every((r) => r.signed));
    const final = await eventually(async () => {
      const s = await leads.status(email);
      return s?.deliveries.pending.length === 0 && s;
    });
    assert.equal(final.deliveries.delivered, 1);
    assert.equal(final.properties.firstname, 'After');
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
