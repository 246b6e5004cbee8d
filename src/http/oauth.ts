import type { FastifyInstance } from 'fastify';
import type { OAuthApi } from '../hubspot/oauth.js';
import { createOAuthState, verifyOAuthState } from './oauth-state.js';

export interface OAuthRouteDeps {
  clientId: string;
  /** Resolved per request: the listening port is only known once the server is up. */
  redirectUri: () => string;
  scopes: string[];
  authorizeUrl: string;
  stateSecret: Buffer;
  oauth: OAuthApi;
  /** Starts or re-authorizes the portal's connection workflow with the exchanged tokens. */
  connect(tokens: {
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    hubId?: number;
    scopes?: string[];
  }): Promise<{ portalId: string }>;
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The install redirect and its callback: the browser half of HubSpot's authorization-code flow. */
export function registerOAuthRoutes(app: FastifyInstance, deps: OAuthRouteDeps): void {
  app.get('/oauth/install', async (_request, reply) => {
    const url = new URL(deps.authorizeUrl);
    url.searchParams.set('client_id', deps.clientId);
    url.searchParams.set('scope', deps.scopes.join(' '));
    url.searchParams.set('redirect_uri', deps.redirectUri());
    url.searchParams.set('state', createOAuthState(deps.stateSecret));
    return reply.redirect(url.toString(), 302);
  });

  app.get<{ Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>(
    '/oauth/callback',
    async (request, reply) => {
      const { code, state, error } = request.query;
      void reply.type('text/html; charset=utf-8');
      if (error)
        return reply
          .code(400)
          .send(page('HubSpot did not authorize the app', escape(request.query.error_description ?? error)));
      if (!code || !state)
        return reply.code(400).send(page('Install failed', 'The callback is missing its code or state.'));
      const verdict = verifyOAuthState(deps.stateSecret, state);
      if (!verdict.ok) return reply.code(400).send(page('Install failed', escape(verdict.reason)));
      try {
        const tokens = await deps.oauth.exchangeCode({ code, redirectUri: deps.redirectUri() });
        const { portalId } = await deps.connect(tokens);
        request.log.info({ portalId }, 'HubSpot portal connected through the install flow');
        return reply.send(
          page('HubSpot connected', `Portal ${escape(portalId)} is connected. You can close this page.`),
        );
      } catch (err) {
        request.log.warn({ reason: (err as Error).message }, 'OAuth callback failed');
        return reply.code(502).send(page('Install failed', escape((err as Error).message)));
      }
    },
  );
}
