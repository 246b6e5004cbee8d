import type { UpsertInput, UpsertResult } from '../hubspot/contacts.js';

export interface UpsertBatcherOptions {
  /** Sends one batch upsert; gets 1 to `maxBatch` inputs with distinct emails. */
  send(inputs: UpsertInput[]): Promise<UpsertResult[]>;
  /** HubSpot's batch endpoints take at most 100 inputs. */
  maxBatch?: number;
  /** How long the first write of a batch waits for company. */
  maxWaitMs?: number;
  /** Batches in flight at once (each may be waiting for the rate budget); the rest keep filling up meanwhile. */
  maxInFlight?: number;
  /**
   * A write still queued after this long is failed (retryably) instead of sent: its activity may already have
   * timed out and been retried, and sending it late could overwrite a newer write of the same lead.
   */
  maxQueueMs?: number;
  now?: () => number;
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
 * back-pressure: while `maxInFlight` batches wait for HubSpot (or for the rate budget), new writes gather into
 * the next batch, up to 100. So under load one request carries many leads, and throughput approaches the rate
 * limit times the batch size instead of stopping at one lead per request.
 */
export function createUpsertBatcher(options: UpsertBatcherOptions) {
  const maxBatch = options.maxBatch ?? 100;
  const maxWaitMs = options.maxWaitMs ?? 20;
  const maxInFlight = options.maxInFlight ?? 4;
  const maxQueueMs = options.maxQueueMs ?? Infinity;
  const now = options.now ?? Date.now;
  const pending: Waiting[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;

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
      .send(batch.map((w) => w.input))
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
      if (now() - w.since < maxQueueMs) continue;
      pending.splice(i, 1);
      w.reject(new StaleWriteError(now() - w.since));
    }
  };

  function dispatch(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    expireStale();
    while (inFlight < maxInFlight && pending.length > 0) {
      const due = pending.length >= maxBatch || now() - pending[0]!.since >= maxWaitMs;
      if (!due) break;
      send(takeBatch());
    }
    if (pending.length > 0 && inFlight < maxInFlight) {
      timer = setTimeout(dispatch, Math.max(0, pending[0]!.since + maxWaitMs - now()));
    }
  }

  return {
    upsert(input: UpsertInput): Promise<UpsertResult> {
      return new Promise<UpsertResult>((resolve, reject) => {
        pending.push({ input, email: input.email.toLowerCase(), since: now(), resolve, reject });
        if (!timer || pending.length >= maxBatch) dispatch();
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
