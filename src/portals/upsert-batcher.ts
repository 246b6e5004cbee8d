import type { UpsertInput, UpsertResult } from '../hubspot/contacts.js';
import { systemClock, type Clock } from '../hubspot/rate-budget.js';

export interface UpsertBatcherOptions {
  /**
   * Sends one batch upsert; gets 1 to `maxBatch` inputs with distinct emails, and the moment (by `clock`) by which
   * the send must be given up: `maxQueueMs` after the oldest of them was handed over.
   */
  send(inputs: UpsertInput[], limits: { deadline: number }): Promise<UpsertResult[]>;
  /** HubSpot's batch endpoints take at most 100 inputs. */
  maxBatch?: number;
  /** How long the first write of a batch waits for company. */
  maxWaitMs?: number;
  /**
   * Partial batches leave at most once per this many ms once `partialBurst` is spent. The portal's 10-second
   * limit is shared with everything else the customer runs against HubSpot, and leaving as soon as `maxWaitMs`
   * passes spends one call per two or three leads under load. Held back, a batch keeps growing instead: at 40
   * writes/s and the default 1000 ms that is ~40 leads a call and 10 calls per 10 s, a tenth of a 100-call
   * budget, at the cost of up to this long more latency per write while busy. 0 turns pacing off.
   */
  minSpacingMs?: number;
  /**
   * Sends (at least 1) a quiet batcher may make at once before spacing applies, so a lone write (or a short
   * burst) still leaves after `maxWaitMs`. Calls in any 10 s stay within `partialBurst + 10_000 / minSpacingMs`,
   * plus full batches.
   */
  partialBurst?: number;
  /** Batches in flight at once (each may be waiting for the rate budget); the rest keep filling up meanwhile. */
  maxInFlight?: number;
  /**
   * A write is given up (retryably) this long after it was handed over, whether it is still queued (then it is never
   * sent) or on its way (the deadline given to `send`): its activity may already have timed out and been retried,
   * and landing late could overwrite a newer write of the same lead.
   */
  maxQueueMs?: number;
  clock?: Clock;
}

interface Waiting {
  input: UpsertInput;
  email: string;
  since: number;
  resolve(result: UpsertResult): void;
  reject(err: unknown): void;
}

/**
 * Coalesces the upserts that concurrent lead activities make into HubSpot batch upserts. Batches grow with
 * back-pressure: while `maxInFlight` batches wait for HubSpot (or for the rate budget), or while the pacing of
 * partial batches holds them back, new writes gather into the next batch, up to 100. So under load one request
 * carries many leads, and throughput approaches the rate limit times the batch size instead of stopping at one
 * lead per request.
 */
export function createUpsertBatcher(options: UpsertBatcherOptions) {
  const maxBatch = options.maxBatch ?? 100;
  const maxWaitMs = options.maxWaitMs ?? 20;
  const minSpacingMs = options.minSpacingMs ?? 1000;
  const partialBurst = options.partialBurst ?? 2;
  const maxInFlight = options.maxInFlight ?? 4;
  const maxQueueMs = options.maxQueueMs ?? Infinity;
  const clock = options.clock ?? systemClock;
  if (!(minSpacingMs >= 0) || !(partialBurst >= 1)) {
    throw new RangeError('upsert batcher: minSpacingMs must be at least 0 and partialBurst at least 1');
  }
  const pending: Waiting[] = [];
  let inFlight = 0;
  let wake: AbortController | undefined;
  // A token bucket kept as the time by which it is full again (GCRA): exact integer arithmetic, no refill timer.
  let spentUntil = -Infinity;
  const creditAt = () => spentUntil - (partialBurst - 1) * minSpacingMs;
  const spendCredit = () => {
    if (creditAt() > clock.now()) return false;
    spentUntil = Math.max(spentUntil, clock.now()) + minSpacingMs;
    return true;
  };

  /** Whether the waiting writes fill a whole batch: duplicates of one email go in separate batches. */
  const full = (): boolean => {
    if (pending.length < maxBatch) return false;
    return new Set(pending.map((w) => w.email)).size >= maxBatch;
  };

  /** Up to `maxBatch` waiting writes, oldest first, one per email: HubSpot rejects a batch naming an id twice. */
  const takeBatch = (): Waiting[] => {
    const batch: Waiting[] = [];
    const emails = new Set<string>();
    for (let i = 0; i < pending.length && batch.length < maxBatch;) {
      const w = pending[i]!;
      if (emails.has(w.email)) {
        i++;
        continue;
      }
      emails.add(w.email);
      batch.push(w);
      pending.splice(i, 1);
    }
    return batch;
  };

  const send = (batch: Waiting[]) => {
    inFlight++;
    options
      .send(
        batch.map((w) => w.input),
        { deadline: Math.min(...batch.map((w) => w.since)) + maxQueueMs },
      )
      .then(
        (results) =>
          batch.forEach((w, i) =>
            results[i] ? w.resolve(results[i]) : w.reject(new Error('batch upsert returned fewer results than inputs')),
          ),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        inFlight--;
        dispatch();
      });
  };

  const expireStale = () => {
    for (let i = pending.length - 1; i >= 0; i--) {
      const w = pending[i]!;
      if (clock.now() - w.since < maxQueueMs) continue;
      pending.splice(i, 1);
      w.reject(new StaleWriteError(clock.now() - w.since));
    }
  };

  const sleepUntil = (at: number) => {
    const controller = new AbortController();
    wake = controller;
    clock.sleep(Math.max(0, at - clock.now()), controller.signal).then(
      () => {
        if (wake === controller) dispatch();
      },
      // Aborted: a later dispatch replaced this wake-up with its own.
      () => undefined,
    );
  };

  function dispatch(): void {
    wake?.abort();
    wake = undefined;
    expireStale();
    while (inFlight < maxInFlight && pending.length > 0) {
      if (full()) {
        // A full batch cannot grow, so holding it back saves nothing; it still spends a credit if one is there.
        spendCredit();
        send(takeBatch());
        continue;
      }
      if (clock.now() - pending[0]!.since < maxWaitMs || !spendCredit()) break;
      send(takeBatch());
    }
    if (pending.length > 0 && inFlight < maxInFlight) sleepUntil(Math.max(pending[0]!.since + maxWaitMs, creditAt()));
  }

  return {
    upsert(input: UpsertInput): Promise<UpsertResult> {
      return new Promise<UpsertResult>((resolve, reject) => {
        pending.push({ input, email: input.email.toLowerCase(), since: clock.now(), resolve, reject });
        if (!wake || pending.length >= maxBatch) dispatch();
      });
    },
  };
}

/** Retryable by design: the activity's next attempt queues the write again, in order. */
export class StaleWriteError extends Error {
  constructor(waitedMs: number) {
    super(`the write waited ${waitedMs} ms for a batch slot and was not sent; it will be retried`);
    this.name = 'StaleWriteError';
  }
}
