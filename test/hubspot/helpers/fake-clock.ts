import type { Clock } from '../../../src/hubspot/rate-budget.js';

interface Timer {
  at: number;
  resolve: () => void;
}

export interface FakeClock extends Clock {
  /** Moves time forward, firing due sleeps in order and letting their continuations run. */
  advance(ms: number): Promise<void>;
  pendingSleeps(): number;
}

/** Lets promise continuations and queued callbacks run without any real waiting. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function fakeClock(start = 1_000_000): FakeClock {
  let now = start;
  let timers: Timer[] = [];
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        const timer: Timer = { at: now + ms, resolve };
        timers.push(timer);
        signal?.addEventListener(
          'abort',
          () => {
            timers = timers.filter((t) => t !== timer);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      });
    },
    async advance(ms) {
      const target = now + ms;
      await flush();
      for (;;) {
        const due = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.resolve();
        await flush();
      }
      now = target;
      await flush();
    },
    pendingSleeps: () => timers.length,
  };
}
