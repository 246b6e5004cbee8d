import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OAuthApi, TokenSet } from '../hubspot/oauth.js';
import { isAuthorized, requireApiKey } from './auth.js';
import { createSignedToken, verifySignedToken } from './oauth-state.js';

export interface OAuthRouteDeps {
  clientId: string;
  /** Resolved per request: the listening port is only known once the server is up. */
  redirectUri: () => string;
  /** Where browsers reach this service, for install links. */
  publicUrl: () => string;
  scopes: string[];
  authorizeUrl: string;
  stateSecret: Buffer;
  apiKey?: string;
  oauth: OAuthApi;
  /** Starts or re-authorizes the portal's connection workflow with the exchanged tokens. */
  connect(tokens: TokenSet): Promise<{ portalId: string }>;
}

/** The tokens belong to another portal than the one this deployment syncs. */
export class WrongPortalError extends Error {
  readonly statusCode = 409;
}

const COOKIE = 'leadsync_oauth';

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * The browser half of HubSpot's authorization-code flow. Starting an install needs the same right as the API
 * (or an install link made with it), and the callback must come back to the browser that started it: the
 * `state` is signed, expires, and carries a nonce that only that browser holds in a cookie.
 */
export function registerOAuthRoutes(app: FastifyInstance, deps: OAuthRouteDeps): void {
  app.post(
    '/v1/oauth/install-link',
    { preHandler: requireApiKey({ apiKey: deps.apiKey }) },
    async (_request, reply) => {
      const { token } = createSignedToken(deps.stateSecret, 'install');
      return reply.send({
        url: `${deps.publicUrl()}/oauth/install?ticket=${encodeURIComponent(token)}`,
        expiresInSeconds: 600,
      });
    },
  );

  app.get<{ Querystring: { ticket?: string } }>('/oauth/install', async (request, reply) => {
    const ticket = request.query.ticket;
    const allowed =
      isAuthorized(request, { apiKey: deps.apiKey }) ||
      (ticket !== undefined && verifySignedToken(deps.stateSecret, ticket, 'install').ok);
    if (!allowed) {
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(
          page(
            'Install link needed',
            'Ask an operator for an install link (POST /v1/oauth/install-link with the API key).',
          ),
        );
    }
    const { token, nonce } = createSignedToken(deps.stateSecret, 'state');
    const url = new URL(deps.authorizeUrl);
    url.searchParams.set('client_id', deps.clientId);
    url.searchParams.set('scope', deps.scopes.join(' '));
    url.searchParams.set('redirect_uri', deps.redirectUri());
    url.searchParams.set('state', token);
    void reply.header('set-cookie', `${COOKIE}=${nonce}; HttpOnly; SameSite=Lax; Path=/oauth; Max-Age=600`);
    return reply.redirect(url.toString(), 302);
  });

  app.get<{ Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>(
    '/oauth/callback',
    async (request, reply: FastifyReply) => {
      const { code, state, error } = request.query;
      void reply.type('text/html; charset=utf-8');
      if (error)
        return reply
          .code(400)
          .send(page('HubSpot did not authorize the app', escape(request.query.error_description ?? error)));
      if (!code || !state)
        return reply.code(400).send(page('Install failed', 'The callback is missing its code or state.'));
      const verdict = verifySignedToken(deps.stateSecret, state, 'state');
      if (!verdict.ok) return reply.code(400).send(page('Install failed', escape(verdict.reason)));
      if (cookie(request, COOKIE) !== verdict.nonce) {
        return reply
          .code(400)
          .send(
            page('Install failed', 'This callback was not started from this browser; start again at /oauth/install.'),
          );
      }
      void reply.header('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Lax; Path=/oauth; Max-Age=0`);
      try {
        const tokens = await deps.oauth.exchangeCode({ code, redirectUri: deps.redirectUri() });
        const { portalId } = await deps.connect(tokens);
        request.log.info({ portalId }, 'HubSpot portal connected through the install flow');
        return reply.send(
          page('HubSpot connected', `Portal ${escape(portalId)} is connected. You can close this page.`),
        );
      } catch (err) {
        request.log.warn({ reason: (err as Error).message }, 'OAuth callback failed');
        return reply
          .code(err instanceof WrongPortalError ? 409 : 502)
          .send(page('Install failed', escape((err as Error).message)));
      }
    },
  );
}
