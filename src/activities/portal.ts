import type { ContactsApi } from '../hubspot/contacts.js';
import { HubSpotError } from '../hubspot/errors.js';
import type { SubscriptionsApi } from '../hubspot/subscriptions.js';
import { FailureType } from '../shared/failure-types.js';
import type { PortalTokenProvider } from './token-provider.js';

/** Everything an activity needs to talk to one portal; the worker builds one per portal. */
export interface PortalClients {
  portalId: string;
  contacts: ContactsApi;
  subscriptions: SubscriptionsApi;
  tokens: PortalTokenProvider & { lastIssued(): string | undefined };
}

/**
 * Runs one HubSpot call the way DESIGN.md's table says: an early-expired token costs one shared refresh and
 * one more try; a rejected credential is reported to the connection before the failure goes up.
 */
export async function withPortalAuth<T>(portal: PortalClients, call: () => Promise<T>): Promise<T> {
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

/** Remembers the token last handed to the HTTP client, so a 401 can name the token that was rejected. */
export function trackingTokens(tokens: PortalTokenProvider): PortalClients['tokens'] {
  let last: string | undefined;
  return {
    getAccessToken: async () => (last = await tokens.getAccessToken()),
    forceRefresh: (rejected) => tokens.forceRefresh(rejected),
    reportAuthFailure: (message) => tokens.reportAuthFailure(message),
    lastIssued: () => last,
  };
}
