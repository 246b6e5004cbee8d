/**
 * A per-portal request budget, so that under sustained load the client waits instead of meeting 429s.
 * HubSpot counts a rolling 10-second window per app and portal (100 for private-app tokens, 110 for OAuth
 * installs) and, separately, the Search API per second; the search window is kept apart because search
 * is excluded from the 10-second limit and has its own, much smaller one.
 *
 * The budget only knows this process's requests. HubSpot's `X-HubSpot-RateLimit-*` headers reveal what
 * other processes spent, so `observe` tightens the local view from them; it never loosens beyond the
 * configured `max` (configure a higher `max` for portals on a higher tier).
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';

export type BudgetKind = 'api' | 'search';

/** Injected so tests drive time by hand instead of sleeping. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepTimer(ms, undefined, signal ? { signal } : undefined),
};

export interface RateBudgetOptions {
  /** Requests per `intervalMs` for everything but search. */
  max: number;
  intervalMs?: number;
  searchMax?: number;
  searchIntervalMs?: number;
  clock?: Clock;
}

export interface WindowState {
  max: number;
  intervalMs: number;
  used: number;
}

export interface RateBudget {
  /** Resolves once a request of this kind may be sent; waits (FIFO) while the window is full. */
  acquire(kind: BudgetKind, signal?: AbortSignal): Promise<void>;
  /** Tightens the `api` window from a response's `X-HubSpot-RateLimit-*` headers. */
  observe(headers: Record<string, string | string[] | undefined>): void;
  /**
   * After a 429 the local view was wrong: hold every caller of this kind for `forMs` (default: the rest of
   * the window), so the process stops spending requests HubSpot will refuse.
   */
  saturate(kind: BudgetKind, forMs?: number): void;
  /** Time until the oldest request in the window leaves it ("the rest of the window"). */
  windowRemainingMs(kind: BudgetKind): number;
  state(kind: BudgetKind): WindowState;
}

export const DEFAULT_INTERVAL_MS = 10_000;
export const DEFAULT_SEARCH_MAX = 4;
export const DEFAULT_SEARCH_INTERVAL_MS = 1_000;
/** HubSpot's burst limits: private-app (static) tokens on Free/Starter, and OAuth installs. */
export const DEFAULT_MAX = { static: 100, oauth: 110 } as const;

class RollingWindow {
  /** Send times, oldest first. */
  private stamps: number[] = [];
  blockedUntil = 0;
  tail: Promise<void> = Promise.resolve();

  constructor(
    readonly ceiling: number,
    public max: number,
    public intervalMs: number,
  ) {}

  private prune(now: number): void {
    const cutoff = now - this.intervalMs;
    while (this.stamps[0] !== undefined && this.stamps[0] <= cutoff) this.stamps.shift();
  }

  used(now: number): number {
    this.prune(now);
    return this.stamps.length;
  }

  waitMs(now: number): number {
    this.prune(now);
    if (this.blockedUntil > now) return this.blockedUntil - now;
    if (this.stamps.length < this.max) return 0;
    // The slot frees when enough of the oldest requests have aged out to leave one spare.
    const freeing = this.stamps[this.stamps.length - this.max] ?? now;
    return Math.max(1, freeing + this.intervalMs - now);
  }

  remainingMs(now: number): number {
    this.prune(now);
    const oldest = this.stamps[0];
    return oldest === undefined ? this.intervalMs : Math.max(1, oldest + this.intervalMs - now);
  }

  record(now: number, count = 1): void {
    // Clocks can step back; keep the list sorted so pruning from the front stays correct.
    const at = Math.max(now, this.stamps[this.stamps.length - 1] ?? now);
    for (let i = 0; i < count; i++) this.stamps.push(at);
  }
}

function headerInt(headers: Record<string, string | string[] | undefined>, name: string): number | undefined {
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function untilAborted(turn: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return turn;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    // `turn` never rejects: it is a chain of promises that only ever resolve.
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

export function createRateBudget(options: RateBudgetOptions): RateBudget {
  if (!(options.max > 0)) throw new Error('rate budget max must be positive');
  const clock = options.clock ?? systemClock;
  const windows: Record<BudgetKind, RollingWindow> = {
    api: new RollingWindow(options.max, options.max, options.intervalMs ?? DEFAULT_INTERVAL_MS),
    search: new RollingWindow(
      options.searchMax ?? DEFAULT_SEARCH_MAX,
      options.searchMax ?? DEFAULT_SEARCH_MAX,
      options.searchIntervalMs ?? DEFAULT_SEARCH_INTERVAL_MS,
    ),
  };

  return {
    async acquire(kind, signal) {
      const w = windows[kind];
      // FIFO: each caller waits for the previous one to get its slot, so nobody starves under load.
      let done!: () => void;
      const mine = new Promise<void>((resolve) => (done = resolve));
      const turn = w.tail;
      w.tail = turn.then(() => mine);
      try {
        await untilAborted(turn, signal);
        for (;;) {
          signal?.throwIfAborted();
          const wait = w.waitMs(clock.now());
          if (wait === 0) {
            w.record(clock.now());
            return;
          }
          await clock.sleep(wait, signal);
        }
      } finally {
        done();
      }
    },

    observe(headers) {
      const w = windows.api;
      const now = clock.now();
      const interval = headerInt(headers, 'x-hubspot-ratelimit-interval-milliseconds');
      // Only ever lengthened: a budget configured more conservatively than HubSpot stays so.
      if (interval !== undefined && interval <= 60_000) w.intervalMs = Math.max(w.intervalMs, interval);
      const max = headerInt(headers, 'x-hubspot-ratelimit-max');
      if (max !== undefined && max > 0) w.max = Math.min(w.ceiling, max);
      const remaining = headerInt(headers, 'x-hubspot-ratelimit-remaining');
      if (remaining !== undefined) {
        const localRemaining = w.max - w.used(now);
        // Others (other processes, other apps' tokens sharing the quota) spent the difference.
        if (remaining < localRemaining) w.record(now, localRemaining - remaining);
      }
    },

    saturate(kind, forMs) {
      const w = windows[kind];
      const now = clock.now();
      const hold = forMs ?? w.remainingMs(now);
      w.blockedUntil = Math.max(w.blockedUntil, now + Math.max(0, hold));
    },

    windowRemainingMs(kind) {
      return windows[kind].remainingMs(clock.now());
    },

    state(kind) {
      const w = windows[kind];
      return { max: w.max, intervalMs: w.intervalMs, used: w.used(clock.now()) };
    },
  };
}
