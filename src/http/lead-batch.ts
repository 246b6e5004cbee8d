import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { LeadSyncClient } from '../client/lead-sync-client.js';
import { checkPortal } from './portal-param.js';

type Body = { Body: { portalId?: unknown; leads?: unknown; events?: unknown } | null };

/** A batch of 500 leads with many properties each; larger than the API's default body limit on purpose. */
const BATCH_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Many leads in one call, for imports: each item is checked and handed to its lead's workflow on its own, and the
 * answer says, per item, whether Temporal took it. A second call reads where the events stand.
 */
export function registerLeadBatchRoutes(
  app: FastifyInstance,
  deps: { leads: () => LeadSyncClient; auth: preHandlerAsyncHookHandler },
): void {
  const opts = { preHandler: deps.auth, bodyLimit: BATCH_BODY_LIMIT_BYTES };
  const leadsOf = (portalId: unknown) => {
    const leads = deps.leads();
    checkPortal(portalId, leads.portalId);
    return leads;
  };

  app.post<Body>('/v1/leads/batch', opts, async (request, reply) => {
    const results = await leadsOf(request.body?.portalId).registerBatch(request.body?.leads);
    const accepted = results.filter((r) => r.accepted).length;
    return reply.code(202).send({ accepted, rejected: results.length - accepted, results });
  });

  app.post<Body>('/v1/leads/batch/status', opts, async (request, reply) =>
    reply.send({ events: await leadsOf(request.body?.portalId).eventOutcomes(request.body?.events) }),
  );
}
