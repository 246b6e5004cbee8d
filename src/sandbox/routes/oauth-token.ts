import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addRoute } from '../context.js';
import { oauthError } from '../errors.js';
import { accessTokenIntrospection, accessTokenResponse, refreshTokenIntrospection } from '../oauth/token-bodies.js';
import { TOKEN_PATHS, TOKEN_V3_FAMILY } from '../paths.js';
import type { SandboxState } from '../state/sandbox-state.js';

type Form = Record<string, string | undefined>;

/** The v1 endpoint also reads `client_secret` and `refresh_token` from the query string; the body wins. */
function formOf(request: FastifyRequest): Form {
  const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  const merged: Form = {};
  for (const [key, value] of Object.entries({ ...(request.query as Record<string, unknown>), ...body })) {
    if (typeof value === 'string') merged[key] = value;
  }
  return merged;
}

const CODE_ERRORS = {
  BAD_AUTH_CODE: 'missing or invalid auth code',
  EXPIRED_AUTH_CODE: 'auth code is expired',
  BAD_REDIRECT_URI: 'redirect_uri does not match the one the code was issued for',
} as const;

function clientRejected(state: SandboxState, form: Form, request: FastifyRequest, reply: FastifyReply) {
  const verdict = state.tokens.checkClient(form.client_id, form.client_secret);
  if (verdict === 'BAD_CLIENT_ID') {
    return oauthError(request, reply, 400, 'BAD_CLIENT_ID', 'missing or invalid client_id', 'invalid_client');
  }
  if (verdict === 'BAD_CLIENT_SECRET') {
    return oauthError(request, reply, 400, 'BAD_CLIENT_SECRET', 'missing or invalid client_secret', 'invalid_client');
  }
  return undefined;
}

export function registerOAuthTokenRoutes(app: FastifyInstance, state: SandboxState): void {
  for (const path of TOKEN_PATHS) {
    addRoute(app, 'POST', path, { name: 'oauth.token', kind: 'token' }, async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const form = formOf(request);
      const grantType = form.grant_type;
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
        return oauthError(
          request,
          reply,
          400,
          'BAD_GRANT_TYPE',
          'missing or unsupported grant_type',
          'unsupported_grant_type',
        );
      }
      const rejected = clientRejected(state, form, request, reply);
      if (rejected) return rejected;
      if (grantType === 'authorization_code') {
        const exchange = state.tokens.exchangeCode(form.code, form.redirect_uri);
        if (!exchange.ok)
          return oauthError(request, reply, 400, exchange.reason, CODE_ERRORS[exchange.reason], 'invalid_grant');
        return reply.send(accessTokenResponse(state, exchange.grant));
      }
      const grant = state.tokens.refresh(form.refresh_token);
      if (!grant) {
        return oauthError(
          request,
          reply,
          400,
          'BAD_REFRESH_TOKEN',
          'missing or invalid refresh token',
          'invalid_grant',
        );
      }
      state.counters.refreshes += 1;
      return reply.send(accessTokenResponse(state, grant));
    });
  }

  for (const path of TOKEN_V3_FAMILY) {
    addRoute(app, 'POST', `${path}/introspect`, { name: 'oauth.introspect', kind: 'token' }, async (request, reply) => {
      const form = formOf(request);
      const rejected = clientRejected(state, form, request, reply);
      if (rejected) return rejected;
      const token = form.token ?? '';
      const hint = form.token_type_hint;
      const access = hint === 'refresh_token' ? undefined : state.tokens.accessTokenInfo(token);
      if (access) return reply.send(accessTokenIntrospection(state, token, access.expiresIn, access.scopes));
      const refresh = hint === 'access_token' ? undefined : state.tokens.refreshTokenInfo(token);
      if (refresh) return reply.send(refreshTokenIntrospection(state, token, refresh.scopes));
      return reply.send({ active: false });
    });

    addRoute(
      app,
      'POST',
      `${path}/revoke`,
      { name: 'oauth.revoke', kind: 'token', write: true },
      async (request, reply) => {
        const form = formOf(request);
        const rejected = clientRejected(state, form, request, reply);
        if (rejected) return rejected;
        // As RFC 7009 asks, an unknown token is not an error.
        state.tokens.revokeRefreshToken(form.token ?? '');
        return reply.code(200).send();
      },
    );
  }
}
