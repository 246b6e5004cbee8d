import type { FastifyInstance } from 'fastify';
import { addRoute } from '../context.js';
import { queryString } from '../parse-body.js';
import type { SandboxState } from '../state/sandbox-state.js';

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}

function parseRedirect(raw: string | undefined): URL | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stands in for app.hubspot.com/oauth/authorize: approves at once and redirects back with a code, so an app's
 * install flow can run end to end without a browser session at HubSpot.
 */
export function registerAuthorizePage(app: FastifyInstance, state: SandboxState): void {
  addRoute(app, 'GET', '/oauth/authorize', { name: 'oauth.authorize', kind: 'page' }, async (request, reply) => {
    if (queryString(request, 'client_id') !== state.options.clientId) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(
          page('Authorization failed', 'Unknown client_id: no app with this client id is installed in the sandbox.'),
        );
    }
    const redirect = parseRedirect(queryString(request, 'redirect_uri'));
    if (!redirect) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(page('Authorization failed', 'redirect_uri is missing or is not an http(s) URL.'));
    }
    const requested = [queryString(request, 'scope'), queryString(request, 'optional_scope')]
      .join(' ')
      .split(/[\s+]+/)
      .filter((scope) => scope !== '');
    const code = state.tokens.issueCode(redirect.toString(), requested.length ? requested : undefined);
    const target = new URL(redirect);
    target.searchParams.set('code', code);
    const stateParam = queryString(request, 'state');
    if (stateParam !== undefined) target.searchParams.set('state', stateParam);
    return reply.redirect(target.toString(), 302);
  });
}
