/**
 * OAuth token endpoints (`/oauth/{2026-03|v3}/token...`). They take the client id, secret and tokens in a
 * form-encoded body, never in the URL, and need no bearer token. They do not draw on the portal's rate
 * budget: they are per app, not per portal. Every secret sent is scrubbed from any error raised.
 */
import { invalidInput } from './errors.js';
import type { CallOptions, Http } from './http.js';
import type { OAuthPaths } from './paths.js';
import { IntrospectResponseSchema, TokenResponseSchema } from './schemas.js';

export interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Seconds, as HubSpot said (30 minutes today; never assume it). */
  expiresIn: number;
  tokenType: string;
  hubId?: number;
  userId?: number;
  scopes?: string[];
}

export type TokenInfo =
  | {
      active: true;
      tokenUse: 'access_token' | 'refresh_token';
      hubId: number;
      appId: number;
      userId: number;
      scopes: string[];
      hubDomain?: string;
      user?: string;
      /** Access tokens only. */
      expiresIn?: number;
    }
  | { active: false };

export type TokenTypeHint = 'access_token' | 'refresh_token';

export interface OAuthApi {
  exchangeCode(
    input: { code: string; redirectUri: string; codeVerifier?: string },
    opts?: CallOptions,
  ): Promise<TokenSet>;
  /** A dead refresh token (400 `BAD_REFRESH_TOKEN` / `invalid_grant`) throws HubSpotBadRefreshToken. */
  refresh(input: { refreshToken: string }, opts?: CallOptions): Promise<TokenSet>;
  /** An unknown or revoked token is `{ active: false }`, not an error. */
  introspect(input: { token: string; tokenTypeHint?: TokenTypeHint }, opts?: CallOptions): Promise<TokenInfo>;
  /** Revoking a refresh token does not end access tokens already issued; they run to expiry. */
  revoke(input: { token: string; tokenTypeHint?: TokenTypeHint }, opts?: CallOptions): Promise<void>;
}

export function createOAuthApi(http: Http, paths: OAuthPaths, credentials: OAuthCredentials | undefined): OAuthApi {
  const creds = (): OAuthCredentials => {
    if (!credentials) throw invalidInput('HubSpot OAuth needs a client id and client secret');
    return credentials;
  };

  const token = async (
    op: string,
    form: Record<string, string | undefined>,
    grantType: 'authorization_code' | 'refresh_token',
    secrets: string[],
    opts: CallOptions,
  ): Promise<TokenSet> => {
    const res = await http.send({
      op,
      method: 'POST',
      path: paths.token,
      form,
      auth: 'none',
      budget: 'none',
      schema: TokenResponseSchema,
      secrets,
      grantType,
      signal: opts.signal,
    });
    const b = res.body;
    const set: TokenSet = {
      accessToken: b.access_token,
      refreshToken: b.refresh_token,
      expiresIn: b.expires_in,
      tokenType: b.token_type,
    };
    if (b.hub_id !== undefined) set.hubId = b.hub_id;
    if (b.user_id !== undefined) set.userId = b.user_id;
    if (b.scopes !== undefined) set.scopes = b.scopes;
    return set;
  };

  return {
    exchangeCode(input, opts = {}) {
      const { clientId, clientSecret } = creds();
      return token(
        'oauth.exchangeCode',
        {
          grant_type: 'authorization_code',
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uri: input.redirectUri,
          code: input.code,
          code_verifier: input.codeVerifier,
        },
        'authorization_code',
        [clientSecret, input.code, ...(input.codeVerifier ? [input.codeVerifier] : [])],
        opts,
      );
    },

    refresh(input, opts = {}) {
      const { clientId, clientSecret } = creds();
      return token(
        'oauth.refresh',
        {
          grant_type: 'refresh_token',
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: input.refreshToken,
        },
        'refresh_token',
        [clientSecret, input.refreshToken],
        opts,
      );
    },

    async introspect(input, opts = {}) {
      const { clientId, clientSecret } = creds();
      const res = await http.send({
        op: 'oauth.introspect',
        method: 'POST',
        path: paths.introspect,
        form: {
          client_id: clientId,
          client_secret: clientSecret,
          token: input.token,
          token_type_hint: input.tokenTypeHint,
        },
        auth: 'none',
        budget: 'none',
        schema: IntrospectResponseSchema,
        secrets: [clientSecret, input.token],
        signal: opts.signal,
      });
      const b = res.body;
      if (!b.active) return { active: false };
      // The answer echoes the token itself; it is deliberately not part of the result.
      const info: TokenInfo = {
        active: true,
        tokenUse: b.token_use,
        hubId: b.hub_id,
        appId: b.app_id,
        userId: b.user_id,
        scopes: b.scopes,
      };
      if (b.hub_domain !== undefined) info.hubDomain = b.hub_domain;
      if (b.user !== undefined) info.user = b.user;
      if ('expires_in' in b) info.expiresIn = b.expires_in;
      return info;
    },

    async revoke(input, opts = {}) {
      const { clientId, clientSecret } = creds();
      await http.send({
        op: 'oauth.revoke',
        method: 'POST',
        path: paths.revoke,
        form: {
          client_id: clientId,
          client_secret: clientSecret,
          token: input.token,
          token_type_hint: input.tokenTypeHint,
        },
        auth: 'none',
        budget: 'none',
        secrets: [clientSecret, input.token],
        signal: opts.signal,
      });
    },
  };
}
