import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUpsertBatcher, StaleWriteError } from '../../src/portals/upsert-batcher.js';
import type { UpsertInput, UpsertResult } from '../../src/hubspot/contacts.js';
import { fakeClock, flush, type FakeClock } from '../hubspot/helpers/fake-clock.js';

const resultsFor = (inputs: UpsertInput[]): UpsertResult[] =>
  inputs.map((i, n) => ({
    ok: true,
    email: i.email,
    id: `id-${i.email}-${n}`,
    isNew: true,
    properties: {},
    updatedAt: '2026-12-01T00:00:00.000Z',
  }));

/** A `send` the test answers by hand, so what is in flight at any moment is known exactly. */
function controlledSend() {
  const calls: Array<{ inputs: UpsertInput[]; deadline: number; answer(): void; fail(err: Error): void }> = [];
  const send = (inputs: UpsertInput[], { deadline }: { deadline: number }) =>
    new Promise<UpsertResult[]>((resolve, reject) => {
      calls.push({ inputs, deadline, answer: () => resolve(resultsFor(inputs)), fail: reject });
    });
  return { calls, send };
}

/** A `send` that answers after `latencyMs` of fake time and records when each batch left and how big it was. */
function answeringSend(clock: FakeClock, latencyMs: number) {
  const sent: Array<{ at: number; size: number }> = [];
  const send = async (inputs: UpsertInput[]) => {
    sent.push({ at: clock.now(), size: inputs.length });
    await clock.sleep(latencyMs);
    return resultsFor(inputs);
  };
  return { sent, send };
}

const input = (email: string): UpsertInput => ({ email, properties: { email } });
const emails = (n: number, prefix = 'lead') => Array.from({ length: n }, (_, i) => `${prefix}-${i}@x.com`);

/** The most sends that fall in any window of `windowMs` starting at a send. */
const busiestWindow = (times: number[], windowMs: number) =>
  Math.max(0, ...times.map((start) => times.filter((t) => t >= start && t < start + windowMs).length));

/** Writes one lead every 25 ms of fake time (40/s), then lets all drain; returns each write's wait for its answer. */
async function steadyLoad(clock: FakeClock, upsert: (i: UpsertInput) => Promise<UpsertResult>, count: number) {
  const waits: number[] = [];
  const results: Array<Promise<UpsertResult>> = [];
  for (const email of emails(count)) {
    const since = clock.now();
    results.push(
      upsert(input(email)).then((r) => {
        waits.push(clock.now() - since);
        return r;
      }),
    );
    await clock.advance(25);
  }
  await clock.advance(5_000);
  return { waits, results: await Promise.all(results) };
}

describe('upsert batcher', () => {
  it('lets batches grow while earlier ones are in flight, and answers each write with its own result', async () => {
    const clock = fakeClock();
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, maxWaitMs: 0, maxInFlight: 1, clock });
    const first = batcher.upsert(input('a@x.com'));
    await flush();
    assert.equal(calls.length, 1);
    const queued = ['b@x.com', 'c@x.com', 'd@x.com'].map((e) => batcher.upsert(input(e)));
    await clock.advance(5_000);
    assert.equal(calls.length, 1, 'nothing more is sent while the only slot is busy');
    calls[0]!.answer();
    assert.equal((await first).ok, true);
    await flush();
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
    const clock = fakeClock();
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, maxWaitMs: 0, maxInFlight: 1, maxBatch: 2, clock });
    const block = batcher.upsert(input('z@x.com'));
    await flush();
    const writes = ['a@x.com', 'A@x.com', 'b@x.com', 'c@x.com'].map((e) => batcher.upsert(input(e)));
    calls[0]!.answer();
    await block;
    await flush();
    assert.deepEqual(
      calls[1]!.inputs.map((i) => i.email),
      ['a@x.com', 'b@x.com'],
    );
    calls[1]!.answer();
    await clock.advance(1_000);
    assert.deepEqual(
      calls[2]!.inputs.map((i) => i.email),
      ['A@x.com', 'c@x.com'],
    );
    calls[2]!.answer();
    assert.equal((await Promise.all(writes)).length, 4);
  });

  it('fails every write of a batch whose request failed, and keeps going', async () => {
    const clock = fakeClock();
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, maxWaitMs: 0, clock });
    const a = batcher.upsert(input('a@x.com'));
    await flush();
    calls[0]!.fail(new Error('HubSpot 503'));
    await assert.rejects(a, /HubSpot 503/);
    const b = batcher.upsert(input('b@x.com'));
    await flush();
    calls[1]!.answer();
    assert.equal((await b).ok, true);
  });

  it('sends a lone write once it has waited maxWaitMs, and again after a busy spell has passed', async () => {
    const clock = fakeClock();
    const { sent, send } = answeringSend(clock, 100);
    const batcher = createUpsertBatcher({ send, clock });
    const lone = batcher.upsert(input('lone@x.com'));
    await clock.advance(19);
    assert.equal(sent.length, 0, 'it waits for company first');
    await clock.advance(1);
    assert.equal(sent.length, 1);
    await clock.advance(100);
    assert.equal((await lone).ok, true);

    await steadyLoad(clock, (i) => batcher.upsert(i), 100);
    await clock.advance(2_000);
    const before = sent.length;
    const t0 = clock.now();
    const later = batcher.upsert(input('later@x.com'));
    await clock.advance(20);
    assert.deepEqual(sent.slice(before), [{ at: t0 + 20, size: 1 }]);
    await clock.advance(100);
    assert.equal((await later).ok, true);
  });

  it('at 300 writes arriving at 40/s, makes at most 0.1 calls a write and half of a 100/10 s budget', async () => {
    const clock = fakeClock();
    const { sent, send } = answeringSend(clock, 150);
    const batcher = createUpsertBatcher({ send, clock });
    const { waits, results } = await steadyLoad(clock, (i) => batcher.upsert(i), 300);

    assert.deepEqual(
      results.map((r) => r.email),
      emails(300),
    );
    assert.equal(
      sent.reduce((n, s) => n + s.size, 0),
      300,
    );
    assert.ok(sent.length <= 30, `${sent.length} sends for 300 writes`);
    const busiest = busiestWindow(
      sent.map((s) => s.at),
      10_000,
    );
    assert.ok(busiest <= 50, `${busiest} sends in one 10 s window`);
    assert.ok(Math.max(...waits) <= 1_000 + 20 + 150, `a write waited ${Math.max(...waits)} ms`);
  });

  it('without pacing the same load spends far more calls (what the pacing saves)', async () => {
    const clock = fakeClock();
    const { sent, send } = answeringSend(clock, 150);
    const batcher = createUpsertBatcher({ send, clock, minSpacingMs: 0 });
    await steadyLoad(clock, (i) => batcher.upsert(i), 300);
    assert.ok(sent.length > 30, `${sent.length} sends`);
  });

  it('sends full batches at once, paced or not, and the rest of a burst after it', async () => {
    const clock = fakeClock();
    const t0 = clock.now();
    const { sent, send } = answeringSend(clock, 100);
    const batcher = createUpsertBatcher({ send, clock });
    const burst = emails(250).map((e) => batcher.upsert(input(e)));
    await flush();
    assert.deepEqual(sent, [
      { at: t0, size: 100 },
      { at: t0, size: 100 },
    ]);
    await clock.advance(1_000);
    assert.deepEqual(
      sent.map((s) => s.size),
      [100, 100, 50],
    );
    assert.ok(sent[2]!.at <= t0 + 1_000);
    await clock.advance(100);
    assert.equal((await Promise.all(burst)).length, 250);

    const second = emails(100, 'second').map((e) => batcher.upsert(input(e)));
    await flush();
    assert.deepEqual(sent[3], { at: clock.now(), size: 100 }, 'a full batch does not wait for a credit');
    await clock.advance(100);
    assert.equal((await Promise.all(second)).length, 100);
  });

  it('keeps full batches within maxInFlight', async () => {
    const clock = fakeClock();
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, clock, maxInFlight: 1 });
    const writes = emails(200).map((e) => batcher.upsert(input(e)));
    await flush();
    assert.equal(calls.length, 1);
    calls[0]!.answer();
    await flush();
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.inputs.length, 100);
    calls[1]!.answer();
    assert.equal((await Promise.all(writes)).length, 200);
  });

  it('fails a write retryably when it waited past maxQueueMs for a slot', async () => {
    const clock = fakeClock();
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, clock, maxWaitMs: 0, maxInFlight: 1, maxQueueMs: 5_000 });
    const blocking = batcher.upsert(input('a@x.com'));
    await flush();
    const stale = batcher.upsert(input('b@x.com'));
    await clock.advance(5_000);
    calls[0]!.answer();
    await blocking;
    await assert.rejects(stale, StaleWriteError);
    assert.equal(calls.length, 1, 'the stale write is never sent');
  });

  it('gives a send the deadline of its oldest write, counted from when that write was handed over', async () => {
    const clock = fakeClock();
    const { calls, send } = controlledSend();
    const batcher = createUpsertBatcher({ send, clock, maxWaitMs: 0, maxInFlight: 1, maxQueueMs: 5_000 });
    const start = clock.now();
    const first = batcher.upsert(input('a@x.com'));
    await flush();
    await clock.advance(3_000);
    const queued = [batcher.upsert(input('b@x.com')), batcher.upsert(input('c@x.com'))];
    await clock.advance(1_000);
    calls[0]!.answer();
    await first;
    await flush();
    assert.equal(calls[0]!.deadline, start + 5_000);
    assert.equal(calls[1]!.inputs.length, 2);
    assert.equal(calls[1]!.deadline, start + 3_000 + 5_000, 'not a fresh allowance at the moment it is sent');
    calls[1]!.answer();
    await Promise.all(queued);
  });

  it('fails a write retryably when pacing held it past maxQueueMs', async () => {
    const clock = fakeClock();
    const { sent, send } = answeringSend(clock, 10);
    const batcher = createUpsertBatcher({ send, clock, maxWaitMs: 0, minSpacingMs: 1_000, maxQueueMs: 500 });
    const spending = [batcher.upsert(input('a@x.com')), batcher.upsert(input('b@x.com'))];
    await clock.advance(10);
    await Promise.all(spending);
    const held = batcher.upsert(input('c@x.com'));
    const outcome = held.then(
      () => 'sent',
      (err: unknown) => err,
    );
    await clock.advance(1_000);
    assert.ok((await outcome) instanceof StaleWriteError);
    assert.equal(sent.length, 2);
  });

  it('refuses pacing settings that could never send', () => {
    const { send } = controlledSend();
    assert.throws(() => createUpsertBatcher({ send, partialBurst: 0 }), RangeError);
    assert.throws(() => createUpsertBatcher({ send, minSpacingMs: -1 }), RangeError);
  });
});
