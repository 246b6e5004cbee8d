/**
 * Stable failure `type` names. They appear in workflow histories, in the UI and in `nonRetryableErrorTypes`,
 * so renaming one is a breaking change for running workflows.
 */
export const FailureType = {
  /** 400 validation (`VALIDATION_ERROR`, `PROPERTY_DOESNT_EXIST`, `INVALID_EMAIL`, ...): our data is wrong. */
  HubSpotValidation: 'HubSpotValidation',
  /** 401 `EXPIRED_AUTHENTICATION`: the token expired early; refresh once and retry. */
  HubSpotTokenExpired: 'HubSpotTokenExpired',
  /** 401 other, 403: credentials are broken; wait for the connection to recover. */
  HubSpotAuth: 'HubSpotAuth',
  /** 404: the object is not there. */
  HubSpotNotFound: 'HubSpotNotFound',
  /** 409: the object already exists (`existingId` carries HubSpot's id when it says so). */
  HubSpotConflict: 'HubSpotConflict',
  /** 429: over a rate limit; retry after `retryAfterMs`. */
  HubSpotRateLimited: 'HubSpotRateLimited',
  /** 477, 5xx, timeouts, resets: transient, retry with backoff. */
  HubSpotTransient: 'HubSpotTransient',
  /** A 2xx body that does not match the schema: HubSpot changed, or we have a bug. */
  HubSpotBadResponse: 'HubSpotBadResponse',
  /** 400 `BAD_REFRESH_TOKEN` / `invalid_grant`: the portal must be re-authorized. */
  HubSpotBadRefreshToken: 'HubSpotBadRefreshToken',
  /** Any other 4xx HubSpot answer we do not expect: permanent. */
  HubSpotRejected: 'HubSpotRejected',
  /** Input that failed our own validation before reaching HubSpot. */
  InvalidInput: 'InvalidInput',
  /** The backend's webhook receiver could not be reached, timed out, or answered 408, 429 or 5xx: retry. */
  BackendUnavailable: 'BackendUnavailable',
  /** The backend's webhook receiver answered another 4xx (or a redirect): permanent until an operator retries. */
  BackendRejected: 'BackendRejected',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];
