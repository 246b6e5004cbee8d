import type { FastifyInstance } from 'fastify';
import { addRoute, type RouteMeta } from '../context.js';
import { parseBody } from '../parse-body.js';
import { ADMIN_BASE } from '../paths.js';
import type { SandboxState } from '../state/sandbox-state.js';
import { webhookSettingsInput } from '../webhooks/settings.js';

const admin = (name: string): RouteMeta => ({ name: `admin.${name}`, kind: 'admin' });

/** The sandbox app's webhook settings and delivery log; the client secret that signs them is never shown here. */
export function registerAdminWebhookRoutes(app: FastifyInstance, state: SandboxState): void {
  addRoute(app, 'GET', `${ADMIN_BASE}/webhooks`, admin('webhooks'), async (_request, reply) =>
    reply.send({ ...state.webhooks.config(), attempts: state.webhooks.attempts() }),
  );

  addRoute(app, 'POST', `${ADMIN_BASE}/webhooks`, admin('configureWebhooks'), async (request, reply) => {
    const body = parseBody(webhookSettingsInput, request, reply);
    if (!body) return reply;
    return reply.send(state.webhooks.configure(body));
  });
}
