import type { Client } from '@temporalio/client';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { connectionStatus } from '../service/connection.js';

/** `GET /v1/portals`: the portals this service syncs and their connection state (never a token). */
export function registerPortalRoutes(
  app: FastifyInstance,
  deps: { client: Client; portalId: () => string | undefined; auth: preHandlerAsyncHookHandler },
): void {
  app.get('/v1/portals', { preHandler: deps.auth }, async (_request, reply) => {
    const portalId = deps.portalId();
    if (!portalId) return reply.send({ portals: [] });
    return reply.send({
      portals: [{ portalId, default: true, connection: await connectionStatus(deps.client, portalId) }],
    });
  });
}
