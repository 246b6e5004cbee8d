export type ConnectionMode = 'static' | 'oauth';
export type ConnectionStateName = 'connected' | 'refreshing' | 'needs_reauth';

/** What anyone may see of a connection: never a token. */
export interface ConnectionStatus {
  mode: ConnectionMode;
  state: ConnectionStateName;
  portalId: string;
  hubId?: number;
  expiresAt?: string;
  lastRefreshAt?: string;
  consecutiveFailures: number;
  lastError?: string;
  scopes?: string[];
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  hubId?: number;
  scopes?: string[];
}

export interface ConnectionState {
  mode: ConnectionMode;
  portalId: string;
  state: ConnectionStateName;
  tokens?: OAuthTokens;
  /** When the current tokens were obtained (epoch ms): where their lifetime starts for the refresh rule. */
  lastRefreshAt?: number;
  consecutiveFailures: number;
  lastError?: string;
  /** Lead workflows waiting for this connection to recover, woken by signal when it does. */
  parked: string[];
  /** When a reported auth failure last triggered a verifying refresh (epoch ms). */
  lastVerifiedAt?: number;
}

export interface ConnectionInput {
  portalId: string;
  mode: ConnectionMode;
  /** Refresh this long before expiry; capped at half the token lifetime. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Continue-as-new at this history length even before the server suggests it (tests use a small one). */
  continueAsNewAfterEvents?: number;
  /** Carried across continue-as-new. */
  state?: ConnectionState;
}

export interface AccessTokenGrant {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds: callers may reuse the token until then, and ask the connection again after. */
  refreshAt: number;
}

export type ReauthorizeInput =
  | { code: string; redirectUri: string }
  | { refreshToken: string }
  /** Tokens already exchanged by the install callback (which had to learn the portal id first). */
  | { tokens: OAuthTokens }
  | { static: true };
