import type { ContactsApi, UpsertInput } from '../hubspot/contacts.js';
import type { UpsertResult } from '../hubspot/batch-upsert.js';
import { HubSpotError } from '../hubspot/errors.js';
import { FailureType } from '../shared/failure-types.js';
import { createUpsertBatcher } from './upsert-batcher.js';
import { withPortalAuth, type TrackedTokens } from './portal-auth.js';

/** Kept well under the lead activities' 30-second start-to-close timeout. */
export const WRITE_DEADLINE_MS = 20_000;

/**
 * A portal's contact writes: concurrent upserts of different leads share one batch upsert. If HubSpot rejects a
 * whole batch for one bad input, each input is sent alone, so only the lead that carried it fails.
 */
export function createBatchWrites(
  portal: { contacts: ContactsApi; tokens: TrackedTokens },
  options: { batchWaitMs?: number; pacingMs?: number },
): (input: UpsertInput) => Promise<UpsertResult> {
  const sendOnce = (inputs: UpsertInput[]) =>
    withPortalAuth(portal, () =>
      // Past this deadline the activity may already be retried elsewhere; a late write could land after a newer one.
      portal.contacts.batchUpsertByEmail(inputs, { signal: AbortSignal.timeout(WRITE_DEADLINE_MS) }),
    );
  const send = async (inputs: UpsertInput[]): Promise<UpsertResult[]> => {
    try {
      return await sendOnce(inputs);
    } catch (err) {
      if (!isWholeBatchRejection(err) || inputs.length < 2) throw err;
      return Promise.all(inputs.map((input) => sendOnce([input]).then((results) => results[0]!, rejectedAlone(input))));
    }
  };
  if (options.batchWaitMs === 0) return async (input) => (await send([input]))[0]!;
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

const rejectedAlone =
  (input: UpsertInput) =>
  (error: unknown): UpsertResult => {
    if (error instanceof HubSpotError && !error.retryable) return { ok: false, email: input.email, error };
    throw error;
  };
