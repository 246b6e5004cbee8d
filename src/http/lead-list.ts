import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { isGrpcServiceError } from '@temporalio/client';
import { z } from 'zod';
import type { LeadSyncClient } from '../client/lead-sync-client.js';
import { LEAD_STATUSES, MAX_PAGE_SIZE } from '../client/lead-list.js';
import { LeadInputError, parseInput } from '../client/schemas.js';
import { checkPortal } from './portal-param.js';

/** gRPC's status code for a request the server refuses as malformed. */
const GRPC_INVALID_ARGUMENT = 3;

export const listQuery = z
  .object({
    status: z.enum(LEAD_STATUSES, { error: `must be one of ${LEAD_STATUSES.join(', ')}` }).optional(),
    portalId: z.string().optional(),
    pageSize: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
      .default(100),
    pageToken: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,4096}$/, 'must be the nextPageToken of an earlier page')
      .optional(),
  })
  .strict();

/** `GET /v1/leads?status=failed`: the portal's leads for operators, a page at a time, from Temporal's visibility. */
export function registerLeadListRoute(
  app: FastifyInstance,
  deps: { leads: () => LeadSyncClient; auth: preHandlerAsyncHookHandler },
): void {
  app.get('/v1/leads', { preHandler: deps.auth }, async (request, reply) => {
    const leads = deps.leads();
    const { portalId, ...page } = parseInput(listQuery, request.query);
    checkPortal(portalId, leads.portalId);
    try {
      return reply.send(await leads.list(page));
    } catch (err) {
      // Temporal refuses a token it did not issue (or one from another query) as an invalid argument.
      if (page.pageToken && isGrpcServiceError(err) && (err.code as number) === GRPC_INVALID_ARGUMENT) {
        throw new LeadInputError([{ field: 'pageToken', message: 'must be the nextPageToken of an earlier page' }]);
      }
      throw err;
    }
  });
}
