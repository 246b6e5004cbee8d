import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { createPortalSessions } from '../../src/portals/portal-session.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

describe('per-portal sessions', () => {
  let sandbox: Sandbox;
  // Never asked in these tests (a static token has nothing to fetch); a lazy client opens no connection.
  const client = new Client();

  before(async () => (sandbox = await startSandbox({ rateLimit: false })));
  after(async () => sandbox?.close());

  const sessions = () =>
    createPortalSessions({
      client,
      baseUrl: sandbox.baseUrl,
      apiVersion: '2026-03',
      timeoutMs: 5_000,
      auth: { mode: 'static', token: sandbox.staticToken },
      rateLimit: 7,
      upsertBatchWaitMs: 30,
    });

  it('builds one session per portal: the same budget and batcher for every caller, another for another portal', () => {
    const portal = sessions();
    const a = portal('1');
    assert.equal(portal('1'), a);
    assert.notEqual(portal('2'), a);
    assert.notEqual(portal('2').budget, a.budget);
    assert.equal(a.budget.state('api').max, 7);
  });

  it("shares one batch upsert among a portal's concurrent writes and spends its budget once", async () => {
    const session = sessions()(String(sandbox.portalId));
    const before = sandbox.counters().requestsByRoute['contacts.batchUpsert'] ?? 0;
    const results = await Promise.all(
      ['x', 'y', 'z'].map((n) => session.upsert({ email: `${n}-session@example.com`, properties: { firstname: n } })),
    );
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true],
    );
    assert.equal((sandbox.counters().requestsByRoute['contacts.batchUpsert'] ?? 0) - before, 1);
    assert.equal(session.budget.state('api').used, 1);
  });
});
