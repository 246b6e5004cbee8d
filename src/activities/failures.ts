import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { FailureType } from '../shared/failure-types.js';

/** The fields of a classified HubSpot error that decide what Temporal does next. */
interface Classified {
  type: string;
  retryable: boolean;
  retryAfterMs?: number;
  message: string;
}

function isClassified(err: unknown): err is Error & Classified {
  return (
    err instanceof Error &&
    typeof (err as Partial<Classified>).type === 'string' &&
    typeof (err as Partial<Classified>).retryable === 'boolean'
  );
}

/**
 * Turns whatever an activity caught into the failure Temporal should act on: permanent answers become
 * non-retryable, rate limits carry HubSpot's delay, and the original error stays as the cause.
 */
export function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (isClassified(err)) {
    return ApplicationFailure.create({
      type: err.type,
      message: err.message,
      nonRetryable: !err.retryable,
      nextRetryDelay: err.retryAfterMs !== undefined ? Math.max(1, Math.ceil(err.retryAfterMs)) : undefined,
      // A rejected property value is a business outcome the lead records, not a worker malfunction to alert on.
      category: err.type === FailureType.HubSpotValidation ? ApplicationFailureCategory.BENIGN : undefined,
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({
    type: FailureType.HubSpotTransient,
    message,
    cause: err instanceof Error ? err : undefined,
  });
}

/** Runs an activity body and rethrows its failure in Temporal's terms. */
export async function classified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toFailure(err);
  }
}
