import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LeadSyncClient } from '../../src/client/lead-sync-client.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { reauthorizeConnection } from '../../src/service/connection.js';
import { eventually } from '../helpers/service.js';
import { oauthWorkerEnv, spawnEntry } from '../helpers/entry-process.js';
import { connectTemporal, testKeyString } from '../helpers/temporal.js';

describe('a worker killed with SIGKILL mid-run', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;
  const workers: ChildProcess[] = [];

  before(async () => {
    ({ env, close } = await connectTemporal());
    sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e9), accessTokenTtlSeconds: 6 });
  });
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await sandbox?.close();
    await close();
  });

  it('loses and doubles nothing: the restarted worker finishes every lead', async () => {
    const taskQueue = `crash-${randomUUID()}`;
    const workerEnv = oauthWorkerEnv({
      temporalAddress: env.address,
      taskQueue,
      sandbox,
      encryptionKey: testKeyString,
    });
    const ready = (w: { output: () => string }) =>
      eventually(() => Promise.resolve(w.output().includes('worker polling')), {
        timeoutMs: 60_000,
        what: 'the worker to poll',
      });

    const first = spawnEntry('src/worker.ts', workerEnv);
    workers.push(first.child);
    await ready(first);
    const portalId = String(sandbox.portalId);
    const connected = await reauthorizeConnection(
      { client: env.client, taskQueue, portalId, mode: 'oauth' },
      { refreshToken: sandbox.issueRefreshToken() },
    );
    // Slow answers keep writes in flight when the kill comes.
    sandbox.faults.set({ latencyMs: 150 });

    const leads = new LeadSyncClient({ client: env.client, portalId, taskQueue });
    const emails = Array.from({ length: 100 }, (_, i) => `crash-${i}@example.com`);
    await Promise.all(
      emails.map((email, i) => leads.register({ email, properties: { firstname: `First ${i}`, lastname: 'Initial' } })),
    );
    await eventually(() => Promise.resolve(sandbox.contacts.all().length > 0), { what: 'the first writes' });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const doneAtKill = sandbox.contacts.all().length;
    assert.ok(doneAtKill < emails.length, `all ${doneAtKill} leads were already written before the kill`);

    // Events keep arriving while no worker runs; Temporal holds them. The access token expires meanwhile.
    await Promise.all(emails.map((email, i) => leads.update({ email, properties: { lastname: `Final ${i}` } })));
    const lastExpiry = Date.parse(connected.expiresAt!) + 6_000;
    await eventually(() => Promise.resolve(Date.now() > lastExpiry), {
      timeoutMs: 20_000,
      what: 'the token to expire with no worker',
    });
    const refreshesBeforeRestart = sandbox.counters().refreshes;
    const second = spawnEntry('src/worker.ts', workerEnv);
    workers.push(second.child);
    await ready(second);

    await eventually(
      () =>
        Promise.resolve(
          emails.every((email, i) => sandbox.contacts.byEmail(email)?.properties.lastname === `Final ${i}`),
        ),
      { timeoutMs: 120_000, what: 'every lead to reach its final values after the restart' },
    );
    assert.equal(sandbox.contacts.all().length, emails.length, 'no lead was written twice');
    emails.forEach((email, i) => assert.equal(sandbox.contacts.byEmail(email)!.properties.firstname, `First ${i}`));
    const states = await Promise.all(emails.map((email) => leads.status(email)));
    assert.deepEqual(
      states.filter((s) => !s || s.failed.length > 0),
      [],
      'every lead is known and none failed',
    );
    assert.ok(states.every((s) => s!.processedEvents === 2));
    assert.ok(sandbox.counters().refreshes > refreshesBeforeRestart, 'the connection refreshed after the restart');
    assert.equal(sandbox.counters().expiredTokenUses, 0, 'no HubSpot call carried an expired token, crash included');
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
    assert.equal(second.child.exitCode, 0, second.output().slice(-2000));
  });
});
