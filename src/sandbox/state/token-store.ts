import { newAccessToken, newAuthorizationCode, newRefreshToken } from '../ids.js';
import { DEFAULT_SCOPES } from '../options.js';

// HubSpot gives an authorization code a short exchange window.
const CODE_TTL_MS = 10 * 60 * 1000;
// A state file keeps an expired access token this long, so that it still answers EXPIRED_AUTHENTICATION after a
// restart; older ones would only make the file grow.
const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000;

export const SANDBOX_USER = { id: 7_100_001, email: 'sandbox-user@example.com' };

interface AccessTokenEntry {
  expiresAt: number;
  scopes: string[];
}

interface RefreshTokenEntry {
  scopes: string[];
  revoked: boolean;
}

interface CodeEntry {
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scopes: string[];
}

/** The grants a state file keeps; authorization codes live ten minutes and are not kept. */
export interface TokenSnapshot {
  refreshTokens: Array<{ token: string; scopes: string[]; revoked: boolean }>;
  accessTokens: Array<{ token: string; expiresAt: number; scopes: string[] }>;
}

export type Authentication =
  | { kind: 'static'; scopes: string[] }
  | { kind: 'oauth'; scopes: string[] }
  | { kind: 'expired'; expiredAt: number }
  | { kind: 'unknown' };

export type CodeExchange =
  { ok: true; grant: TokenGrant } | { ok: false; reason: 'BAD_AUTH_CODE' | 'EXPIRED_AUTH_CODE' | 'BAD_REDIRECT_URI' };

export class TokenStore {
  private readonly staticTokens: Set<string>;
  private readonly accessTokens = new Map<string, AccessTokenEntry>();
  private readonly refreshTokens = new Map<string, RefreshTokenEntry>();
  private readonly codes = new Map<string, CodeEntry>();

  constructor(
    readonly clientId: string,
    private readonly clientSecret: string,
    staticTokens: string[],
    private readonly ttlSeconds: number,
  ) {
    this.staticTokens = new Set(staticTokens);
  }

  checkClient(
    clientId: string | undefined,
    clientSecret: string | undefined,
  ): 'ok' | 'BAD_CLIENT_ID' | 'BAD_CLIENT_SECRET' {
    if (clientId !== this.clientId) return 'BAD_CLIENT_ID';
    if (clientSecret !== this.clientSecret) return 'BAD_CLIENT_SECRET';
    return 'ok';
  }

  issueRefreshToken(scopes: string[] = DEFAULT_SCOPES): string {
    const token = newRefreshToken();
    this.refreshTokens.set(token, { scopes: [...scopes], revoked: false });
    return token;
  }

  issueCode(redirectUri: string, scopes: string[] = DEFAULT_SCOPES, now = Date.now()): string {
    const code = newAuthorizationCode();
    this.codes.set(code, { redirectUri, scopes: [...scopes], expiresAt: now + CODE_TTL_MS, used: false });
    return code;
  }

  exchangeCode(code: string | undefined, redirectUri: string | undefined, now = Date.now()): CodeExchange {
    const entry = code === undefined ? undefined : this.codes.get(code);
    if (!entry || entry.used) return { ok: false, reason: 'BAD_AUTH_CODE' };
    if (entry.expiresAt <= now) return { ok: false, reason: 'EXPIRED_AUTH_CODE' };
    if (entry.redirectUri !== redirectUri) return { ok: false, reason: 'BAD_REDIRECT_URI' };
    entry.used = true;
    const refreshToken = this.issueRefreshToken(entry.scopes);
    return { ok: true, grant: this.mintAccessToken(refreshToken, entry.scopes, now) };
  }

  /** HubSpot hands back the same refresh token on refresh; callers are told to store whatever comes back. */
  refresh(refreshToken: string | undefined, now = Date.now()): TokenGrant | undefined {
    const entry = refreshToken === undefined ? undefined : this.refreshTokens.get(refreshToken);
    if (!entry || entry.revoked || refreshToken === undefined) return undefined;
    return this.mintAccessToken(refreshToken, entry.scopes, now);
  }

  authenticate(token: string, now = Date.now()): Authentication {
    if (this.staticTokens.has(token)) return { kind: 'static', scopes: ['*'] };
    const entry = this.accessTokens.get(token);
    if (!entry) return { kind: 'unknown' };
    if (entry.expiresAt <= now) return { kind: 'expired', expiredAt: entry.expiresAt };
    return { kind: 'oauth', scopes: entry.scopes };
  }

  accessTokenInfo(token: string, now = Date.now()): { expiresIn: number; scopes: string[] } | undefined {
    const entry = this.accessTokens.get(token);
    if (!entry || entry.expiresAt <= now) return undefined;
    return { expiresIn: Math.floor((entry.expiresAt - now) / 1000), scopes: entry.scopes };
  }

  refreshTokenInfo(token: string): { scopes: string[] } | undefined {
    const entry = this.refreshTokens.get(token);
    return entry && !entry.revoked ? { scopes: entry.scopes } : undefined;
  }

  expireAll(now = Date.now()): number {
    let expired = 0;
    for (const entry of this.accessTokens.values()) {
      if (entry.expiresAt > now) {
        entry.expiresAt = now;
        expired += 1;
      }
    }
    return expired;
  }

  revokeRefreshToken(token: string): boolean {
    const entry = this.refreshTokens.get(token);
    if (!entry || entry.revoked) return false;
    entry.revoked = true;
    return true;
  }

  revokeAllRefreshTokens(): number {
    let revoked = 0;
    for (const entry of this.refreshTokens.values()) {
      if (!entry.revoked) {
        entry.revoked = true;
        revoked += 1;
      }
    }
    return revoked;
  }

  snapshot(now = Date.now()): TokenSnapshot {
    return {
      refreshTokens: [...this.refreshTokens].map(([token, entry]) => ({ token, ...entry })),
      accessTokens: [...this.accessTokens]
        .filter(([, entry]) => entry.expiresAt > now - KEEP_EXPIRED_MS)
        .map(([token, entry]) => ({ token, ...entry })),
    };
  }

  restore(snapshot: TokenSnapshot): void {
    this.refreshTokens.clear();
    this.accessTokens.clear();
    for (const { token, ...entry } of snapshot.refreshTokens) this.refreshTokens.set(token, entry);
    for (const { token, ...entry } of snapshot.accessTokens) this.accessTokens.set(token, entry);
  }

  private mintAccessToken(refreshToken: string, scopes: string[], now: number): TokenGrant {
    const accessToken = newAccessToken();
    this.accessTokens.set(accessToken, { expiresAt: now + this.ttlSeconds * 1000, scopes });
    return { accessToken, refreshToken, expiresIn: this.ttlSeconds, scopes };
  }
}
