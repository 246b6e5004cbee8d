import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addRoute, type RouteMeta } from '../context.js';
import { parseBody } from '../parse-body.js';
import { ADMIN_BASE } from '../paths.js';
import { copyCounters } from '../state/counters.js';
import type { SandboxState } from '../state/sandbox-state.js';

const share = z.number().min(0).max(1);
const faultsInput = z
  .object({
    errorRate: share.optional(),
    latencyMs: z.number().int().min(0).optional(),
    dropAfterWriteRate: share.optional(),
    routes: z.array(z.string()).optional(),
    failNext: z
      .object({
        route: z.string().optional(),
        method: z.string().optional(),
        status: z.number().int().min(100).max(599),
        body: z.unknown().optional(),
        headers: z.record(z.string(), z.string()).optional(),
        count: z.number().int().positive().optional(),
      })
      .optional(),
    dropNext: z.object({ route: z.string().optional(), count: z.number().int().positive().optional() }).optional(),
    reset: z.boolean().optional(),
  })
  .strict();

const admin = (name: string): RouteMeta => ({ name: `admin.${name}`, kind: 'admin' });

/** A snapshot safe to show anyone: no access tokens, refresh tokens or client secret. */
export function publicState(state: SandboxState) {
  const emails = new Set([
    ...state.subscriptions.emails(),
    ...state.contacts.active().flatMap((contact) => (contact.properties.email ? [contact.properties.email] : [])),
  ]);
  return {
    portalId: state.options.portalId,
    clientId: state.options.clientId,
    contacts: structuredClone(state.contacts.all()),
    subscriptionDefinitions: state.subscriptions.definitions,
    subscriptions: Object.fromEntries([...emails].sort().map((email) => [email, state.subscriptions.view(email)])),
    deletedEmails: [...state.deletedEmails],
    blocklistedEmails: [...state.blocklist],
    counters: copyCounters(state.counters),
    faults: { settings: state.faults.current(), ...state.faults.pending() },
  };
}

export function registerAdminRoutes(app: FastifyInstance, state: SandboxState): void {
  addRoute(app, 'GET', `${ADMIN_BASE}/state`, admin('state'), async (_request, reply) =>
    reply.send(publicState(state)),
  );

  addRoute(app, 'GET', `${ADMIN_BASE}/counters`, admin('counters'), async (_request, reply) =>
    reply.send(copyCounters(state.counters)),
  );

  addRoute(app, 'POST', `${ADMIN_BASE}/faults`, admin('faults'), async (request, reply) => {
    const body = parseBody(faultsInput, request, reply);
    if (!body) return reply;
    const { failNext, dropNext, reset, ...settings } = body;
    if (reset) state.faults.reset();
    state.faults.set(settings);
    if (failNext) state.faults.failNext(failNext);
    if (dropNext) state.faults.dropNext(dropNext);
    return reply.send({ settings: state.faults.current(), ...state.faults.pending() });
  });

  addRoute(app, 'POST', `${ADMIN_BASE}/expire-tokens`, admin('expireTokens'), async (_request, reply) =>
    reply.send({ expired: state.tokens.expireAll() }),
  );

  addRoute(app, 'POST', `${ADMIN_BASE}/revoke-refresh-tokens`, admin('revokeRefreshTokens'), async (_request, reply) =>
    reply.send({ revoked: state.tokens.revokeAllRefreshTokens() }),
  );

  addRoute(app, 'POST', `${ADMIN_BASE}/refresh-token`, admin('refreshToken'), async (_request, reply) =>
    reply.send({ refresh_token: state.tokens.issueRefreshToken() }),
  );

  addRoute(app, 'POST', `${ADMIN_BASE}/reset`, admin('reset'), async (_request, reply) => {
    state.reset();
    return reply.send({ reset: true });
  });
}
