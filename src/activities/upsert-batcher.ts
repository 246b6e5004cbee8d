import type { UpsertInput, UpsertResult } from '../hubspot/contacts.js';

export interface UpsertBatcherOptions {
  /** Sends one batch upsert; gets 1 to `maxBatch` inputs with distinct emails. */
  send(inputs: UpsertInput[]): Promise<UpsertResult[]>;
  /** HubSpot's batch endpoints take at most 100 inputs. */
  maxBatch?: number;
  /** How long the first write of a batch waits for company. */
  maxWaitMs?: number;
}

interface Waiting {
  input: UpsertInput;
  resolve(result: UpsertResult): void;
  reject(err: unknown): void;
}

/**
 * Coalesces the upserts that concurrent lead activities make at about the same time into HubSpot batch
 * upserts. Under load this turns up to 100 leads into one request, which is what lets throughput approach
 * HubSpot's rate limit instead of stopping at one lead per request.
 */
export function createUpsertBatcher(options: UpsertBatcherOptions) {
  const maxBatch = options.maxBatch ?? 100;
  const maxWaitMs = options.maxWaitMs ?? 20;
  let open: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = open;
    open = [];
    if (batch.length === 0) return;
    options.send(batch.map((w) => w.input)).then(
      (results) =>
        batch.forEach((w, i) =>
          results[i] ? w.resolve(results[i]) : w.reject(new Error('batch upsert returned fewer results than inputs')),
        ),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  };

  return {
    upsert(input: UpsertInput): Promise<UpsertResult> {
      const email = input.email.toLowerCase();
      // One email twice in a batch would make HubSpot reject the batch; the second waits for the next one.
      if (open.some((w) => w.input.email.toLowerCase() === email)) flush();
      return new Promise<UpsertResult>((resolve, reject) => {
        open.push({ input, resolve, reject });
        if (open.length >= maxBatch) flush();
        else timer ??= setTimeout(flush, maxWaitMs);
      });
    },
  };
}
