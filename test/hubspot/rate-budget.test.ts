import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRateBudget } from '../../src/hubspot/rate-budget.js';
import { fakeClock, flush } from './helpers/fake-clock.js';

/** Starts an acquire and records when (fake time) it was granted. */
function track(acquire: Promise<void>, clock: { now(): number }) {
  const state: { grantedAt?: number; error?: unknown } = {};
  acquire.then(
    () => (state.grantedAt = clock.now()),
    (err: unknown) => (state.error = err),
  );
  return state;
}

void describe('rate budget', () => {
  void it('grants up to max at once, then waits (timers, no polling) for the window to roll', async () => {
    const clock = fakeClock();
    const t0 = clock.now();
    const budget = createRateBudget({ max: 3, intervalMs: 1000, clock });
    const grants = Array.from({ length: 5 }, () => track(budget.acquire('api'), clock));
    await flush();
    assert.deepEqual(
      grants.map((g) => g.grantedAt),
      [t0, t0, t0, undefined, undefined],
    );
    assert.equal(clock.pendingSleeps(), 1, 'only the head waiter sleeps');
    await clock.advance(999);
    assert.equal(grants[3]?.grantedAt, undefined);
    await clock.advance(1);
    assert.equal(grants[3]?.grantedAt, t0 + 1000);
    assert.equal(grants[4]?.grantedAt, t0 + 1000);
  });

  void it('never exceeds max in any window under sustained load, and serves callers in order', async () => {
    const clock = fakeClock();
    const t0 = clock.now();
    const budget = createRateBudget({ max: 10, intervalMs: 10_000, clock });
    const grants = Array.from({ length: 35 }, () => track(budget.acquire('api'), clock));
    for (let step = 0; step < 40; step++) await clock.advance(1000);
    const times = grants.map((g) => g.grantedAt ?? NaN);
    assert.ok(times.every((t) => Number.isFinite(t)));
    for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) >= (times[i - 1] ?? 0), 'FIFO');
    for (const start of times) {
      const inWindow = times.filter((t) => t >= start && t < start + 10_000).length;
      assert.ok(inWindow <= 10, `window starting at ${start - t0} holds ${inWindow}`);
    }
    assert.equal(times[34], t0 + 30_000);
  });

  void it('keeps search separate: a full api window does not block search, and search has its own 4/s', async () => {
    const clock = fakeClock();
    const t0 = clock.now();
    const budget = createRateBudget({ max: 1, intervalMs: 10_000, clock });
    await budget.acquire('api');
    const blocked = track(budget.acquire('api'), clock);
    const searches = Array.from({ length: 5 }, () => track(budget.acquire('search'), clock));
    await flush();
    assert.equal(blocked.grantedAt, undefined);
    assert.deepEqual(
      searches.map((s) => s.grantedAt),
      [t0, t0, t0, t0, undefined],
    );
    await clock.advance(1000);
    assert.equal(searches[4]?.grantedAt, t0 + 1000);
    assert.equal(blocked.grantedAt, undefined);
    assert.equal(budget.state('search').max, 4);
  });

  void it('tightens from X-HubSpot-RateLimit-Remaining: others spent part of the window', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ max: 100, intervalMs: 10_000, clock });
    await budget.acquire('api');
    budget.observe({
      'x-hubspot-ratelimit-max': '100',
      'x-hubspot-ratelimit-remaining': '2',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
    });
    assert.equal(budget.state('api').used, 98);
    await budget.acquire('api');
    await budget.acquire('api');
    const third = track(budget.acquire('api'), clock);
    await flush();
    assert.equal(third.grantedAt, undefined);
    await clock.advance(10_000);
    assert.ok(third.grantedAt !== undefined);
  });

  void it('adopts a lower Max and a longer Interval from headers, but never loosens the configured budget', () => {
    const clock = fakeClock();
    const budget = createRateBudget({ max: 100, clock });
    budget.observe({ 'x-hubspot-ratelimit-max': '190', 'x-hubspot-ratelimit-interval-milliseconds': '10000' });
    assert.equal(budget.state('api').max, 100);
    budget.observe({ 'x-hubspot-ratelimit-max': '50', 'x-hubspot-ratelimit-interval-milliseconds': '20000' });
    assert.deepEqual(budget.state('api'), { max: 50, intervalMs: 20_000, used: 0 });
    budget.observe({ 'x-hubspot-ratelimit-interval-milliseconds': '1000' });
    assert.equal(budget.state('api').intervalMs, 20_000);
    budget.observe({ 'x-hubspot-ratelimit-remaining': 'junk' });
    assert.equal(budget.state('api').used, 0);
  });

  void it('saturate() after a 429 holds every caller for the rest of the window, or for the given time', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ max: 100, intervalMs: 10_000, clock });
    assert.equal(budget.windowRemainingMs('api'), 10_000);
    await budget.acquire('api');
    await clock.advance(3000);
    assert.equal(budget.windowRemainingMs('api'), 7000);
    budget.saturate('api');
    const next = track(budget.acquire('api'), clock);
    await clock.advance(6999);
    assert.equal(next.grantedAt, undefined);
    await clock.advance(1);
    assert.ok(next.grantedAt !== undefined);

    budget.saturate('api', 2000);
    const held = track(budget.acquire('api'), clock);
    const search = track(budget.acquire('search'), clock);
    await clock.advance(1999);
    assert.equal(held.grantedAt, undefined);
    assert.ok(search.grantedAt !== undefined, 'search is held separately');
    await clock.advance(1);
    assert.ok(held.grantedAt !== undefined);
  });

  void it('an aborted waiter leaves the queue without blocking the ones behind it', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ max: 1, intervalMs: 1000, clock });
    await budget.acquire('api');
    const controller = new AbortController();
    const aborted = track(budget.acquire('api', controller.signal), clock);
    const behind = track(budget.acquire('api'), clock);
    await flush();
    controller.abort(new Error('cancelled'));
    await flush();
    assert.match(String(aborted.error), /cancelled/);
    await clock.advance(1000);
    assert.ok(behind.grantedAt !== undefined);
  });

  void it('rejects a non-positive max', () => {
    assert.throws(() => createRateBudget({ max: 0 }));
  });
});
