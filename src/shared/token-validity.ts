/**
 * The one rule for when an OAuth access token is due for refresh. The connection workflow's timer, its
 * getAccessToken update and every worker's token cache all read it, so they agree on the instant and a
 * single refresh serves each expiry. Pure and workflow-safe: no Node, no Temporal.
 */

/** When a token was obtained and when it stops working, both in epoch milliseconds. */
export interface TokenLifetime {
  issuedAt: number;
  expiresAt: number;
}

/**
 * The instant the token is due for refresh: `marginMs` before it expires, but never earlier than halfway
 * through its life, so short-lived tokens are not refreshed on every request.
 */
export function refreshAt(lifetime: TokenLifetime, marginMs: number): number {
  const halfLife = Math.max(0, Math.floor((lifetime.expiresAt - lifetime.issuedAt) / 2));
  return lifetime.expiresAt - Math.min(Math.max(0, marginMs), halfLife);
}

/** A token may be used without asking its owner only before its refresh instant. */
export function isFresh(grant: { refreshAt: number }, now: number): boolean {
  return now < grant.refreshAt;
}

/** While its refresh runs or keeps failing, a stale token that still works is handed out for this long at a time. */
export const OUTAGE_GRANT_MS = 10_000;

/**
 * Until when a stale token may still be handed out while its refresh runs, or retries through an outage of HubSpot's
 * token endpoint: a short while, so callers ask again soon, and never past the moment it would expire in their hands.
 * Undefined when it is too close to expiry for that.
 */
export function outageGrantUntil(lifetime: { expiresAt: number }, now: number): number | undefined {
  const until = now + OUTAGE_GRANT_MS;
  return until < lifetime.expiresAt ? until : undefined;
}
