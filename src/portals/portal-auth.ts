import { HubSpotError } from '../hubspot/errors.js';
import { FailureType } from '../shared/failure-types.js';
import type { PortalTokenProvider } from '../activities/token-provider.js';

/** A portal's token provider that also remembers the token it last handed out, so a 401 can name it. */
export type TrackedTokens = PortalTokenProvider & { lastIssued(): string | undefined };

/**
 * Runs one HubSpot call the way DESIGN.md's table says: an early-expired token costs one shared refresh and
 * one more try; a rejected credential is reported to the connection before the failure goes up.
 */
export async function withPortalAuth<T>(portal: { tokens: TrackedTokens }, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof HubSpotError && err.type === FailureType.HubSpotTokenExpired) {
      const rejected = portal.tokens.lastIssued();
      if (rejected !== undefined) await portal.tokens.forceRefresh(rejected);
      return call();
    }
    if (err instanceof HubSpotError && err.type === FailureType.HubSpotAuth) {
      await portal.tokens.reportAuthFailure(err.message);
    }
    throw err;
  }
}

/** Wraps a token provider so it remembers the token last handed to the HTTP client. */
export function trackingTokens(tokens: PortalTokenProvider): TrackedTokens {
  let last: string | undefined;
  return {
    getAccessToken: async () => (last = await tokens.getAccessToken()),
    forceRefresh: (rejected) => tokens.forceRefresh(rejected),
    reportAuthFailure: (message) => tokens.reportAuthFailure(message),
    lastIssued: () => last,
  };
}
