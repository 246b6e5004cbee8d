import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';

/** What a workflow needs to know of a failure that reached it: its stable type, whether a retry can help, why. */
export interface FailureInfo {
  /** The `ApplicationFailure` type (a `FailureType` name), or `Unknown` for anything else. */
  type: string;
  /** True when Temporal must not retry it: permanent answers and our own rejections. */
  permanent: boolean;
  message: string;
}

/**
 * The one unwrap of a failure as workflows see it: an activity's or child's failure wraps the error that was
 * thrown; this reads through those wrappers to the `ApplicationFailure` the activity raised. Workflow-safe.
 */
export function failureOf(err: unknown): FailureInfo {
  let cause: unknown = err;
  while ((cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) && cause.cause)
    cause = cause.cause;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'Unknown', permanent: cause.nonRetryable === true, message: cause.message };
  }
  return { type: 'Unknown', permanent: false, message: cause instanceof Error ? cause.message : String(cause) };
}
