import type { OAuthTokens } from '../shared/connection-types.js';
import { classified } from './failures.js';

/** What the token activities need of HubSpot's OAuth endpoints (src/hubspot implements it). */
export interface OAuthTokenApi {
  exchangeCode(input: { code: string; redirectUri: string }): Promise<TokenSet>;
  refresh(input: { refreshToken: string }): Promise<TokenSet>;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  hubId?: number;
  scopes?: string[];
}

export function createTokenActivities(deps: { oauth: OAuthTokenApi; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const toTokens = (t: TokenSet, requestedAt: number): OAuthTokens => ({
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    // Measured from before the request, so network time never makes us believe a token lives longer than it does.
    expiresAt: requestedAt + t.expiresIn * 1000,
    hubId: t.hubId,
    scopes: t.scopes,
  });

  return {
    async exchangeAuthorizationCode(input: { code: string; redirectUri: string }): Promise<OAuthTokens> {
      const requestedAt = now();
      return classified(async () => toTokens(await deps.oauth.exchangeCode(input), requestedAt));
    },
    async refreshAccessToken(input: { refreshToken: string }): Promise<OAuthTokens> {
      const requestedAt = now();
      return classified(async () => toTokens(await deps.oauth.refresh(input), requestedAt));
    },
  };
}

export type TokenActivities = ReturnType<typeof createTokenActivities>;
