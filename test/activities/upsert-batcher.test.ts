import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUpsertBatcher } from '../../src/activities/upsert-batcher.js';
import type { UpsertInput, UpsertResult } from '../../src/hubspot/contacts.js';

/** A `send` the test answers by hand, so what is in flight at any moment is known exactly. */
function controlledSend() {
  const calls: Array<{ inputs: UpsertInput[]; answer(): void; fail(err: Error): void }> = [];
  const send = (inputs: UpsertInput[]) =>
    new Promise<UpsertResult[]>((resolve, reject) => {
      calls.push({
        inputs,
        answer: () =>
          resolve(
            inputs.map((i, n) => ({ ok: true, email: i.email, id: `id-${i.email}-${n}`, isNew: true, properties: {} })),
          ),
        fail: reject,
      });
    });
  return { calls, send };
}

const input = (email: string): UpsertInput => ({ email, properties: { email } });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('upsert batcher', () => {
  it('lets batches grow while earlier ones are in flight, and answers each write with its own result', async () => {
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, maxWaitMs: 0, maxInFlight: 1 });
    const first = batcher.upsert(input('a@x.com'));
    await settle();
    assert.equal(calls.length, 1);
    const queued = ['b@x.com', 'c@x.com', 'd@x.com'].map((e) => batcher.upsert(input(e)));
    await settle();
    assert.equal(calls.length, 1, 'nothing more is sent while the only slot is busy');
    calls[0]!.answer();
    assert.equal((await first).ok, true);
    await settle();
    assert.equal(calls.length, 2);
    assert.deepEqual(
      calls[1]!.inputs.map((i) => i.email),
      ['b@x.com', 'c@x.com', 'd@x.com'],
    );
    calls[1]!.answer();
    const results = await Promise.all(queued);
    assert.deepEqual(
      results.map((r) => (r.ok ? r.id : 'failed')),
      ['id-b@x.com-0', 'id-c@x.com-1', 'id-d@x.com-2'],
    );
  });

  it('never puts one email twice in a batch, and caps batches at maxBatch', async () => {
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, maxWaitMs: 0, maxInFlight: 1, maxBatch: 2 });
    const block = batcher.upsert(input('z@x.com'));
    await settle();
    const writes = ['a@x.com', 'A@x.com', 'b@x.com', 'c@x.com'].map((e) => batcher.upsert(input(e)));
    calls[0]!.answer();
    await block;
    await settle();
    assert.deepEqual(
      calls[1]!.inputs.map((i) => i.email),
      ['a@x.com', 'b@x.com'],
    );
    calls[1]!.answer();
    await settle();
    assert.deepEqual(
      calls[2]!.inputs.map((i) => i.email),
      ['A@x.com', 'c@x.com'],
    );
    calls[2]!.answer();
    assert.equal((await Promise.all(writes)).length, 4);
  });

  it('fails every write of a batch whose request failed, and keeps going', async () => {
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, maxWaitMs: 0 });
    const a = batcher.upsert(input('a@x.com'));
    await settle();
    calls[0]!.fail(new Error('HubSpot 503'));
    await assert.rejects(a, /HubSpot 503/);
    const b = batcher.upsert(input('b@x.com'));
    await settle();
    calls[1]!.answer();
    assert.equal((await b).ok, true);
  });
});
