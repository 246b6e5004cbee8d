import type { ContactsApi, UpsertInput } from '../hubspot/contacts.js';
import type { UpsertResult } from '../hubspot/batch-upsert.js';
import { HubSpotError } from '../hubspot/errors.js';
import { FailureType } from '../shared/failure-types.js';
import { createUpsertBatcher } from './upsert-batcher.js';
import { withPortalAuth, type TrackedTokens } from './portal-auth.js';

/**
 * How long a write may take from the moment its activity hands it over, queue wait, token refresh and every send
 * included: well under the lead activities' 30-second start-to-close timeout. Past it the activity may already be
 * retried elsewhere, and a late write could land after a newer one.
 */
export const WRITE_DEADLINE_MS = 20_000;

/**
 * A portal's contact writes: concurrent upserts of different leads share one batch upsert. If HubSpot rejects a
 * whole batch for one bad input, the batch is split in halves until the bad input stands alone, so only the lead that
 * carried it fails, for a few more calls rather than one per lead.
 */
export function createBatchWrites(
  portal: { contacts: ContactsApi; tokens: TrackedTokens },
  options: { batchWaitMs?: number; pacingMs?: number },
): (input: UpsertInput) => Promise<UpsertResult> {
  const send = (inputs: UpsertInput[], { deadline }: { deadline: number }): Promise<UpsertResult[]> => {
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    const attempt = async (part: UpsertInput[]): Promise<UpsertResult[]> => {
      try {
        return await withPortalAuth(portal, () => portal.contacts.batchUpsertByEmail(part, { signal }));
      } catch (err) {
        if (!isWholeBatchRejection(err)) throw err;
        if (part.length === 1) return [{ ok: false, email: part[0]!.email, error: err }];
        const half = Math.ceil(part.length / 2);
        return (await Promise.all([attempt(part.slice(0, half)), attempt(part.slice(half))])).flat();
      }
    };
    return attempt(inputs);
  };
  if (options.batchWaitMs === 0) {
    return async (input) => (await send([input], { deadline: Date.now() + WRITE_DEADLINE_MS }))[0]!;
  }
  const batcher = createUpsertBatcher({
    send,
    maxWaitMs: options.batchWaitMs,
    minSpacingMs: options.pacingMs,
    maxQueueMs: WRITE_DEADLINE_MS,
  });
  return (input) => batcher.upsert(input);
}

function isWholeBatchRejection(err: unknown): err is HubSpotError {
  return err instanceof HubSpotError && !err.retryable && err.type !== FailureType.HubSpotAuth;
}
