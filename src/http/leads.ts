import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { LeadSyncClient } from '../client/lead-sync-client.js';
import { LeadInputError, type RegisterInput, type UpdateInput } from '../client/schemas.js';
import { checkPortal } from './portal-param.js';

type EmailParams = { Params: { email: string } };
// Bodies are untrusted here; the client's zod schemas check every field and name the bad ones.
type Body = Record<string, unknown>;

/** No body at all reads as an empty one (the body-less calls); any other JSON than an object is refused by name. */
function body(raw: unknown): Body {
  if (raw === undefined) return {};
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return raw as Body;
  throw new LeadInputError([{ field: '(body)', message: 'must be a JSON object' }]);
}

/** DESIGN.md's lead API: writes answer 202 with the workflow id once Temporal has the event. */
export function registerLeadRoutes(
  app: FastifyInstance,
  deps: { leads: () => LeadSyncClient; auth: preHandlerAsyncHookHandler },
): void {
  const opts = { preHandler: deps.auth };
  /** The body without `portalId`, once the portal it names (if any) is the one this service syncs. */
  const input = (raw: unknown): Body => {
    const leads = deps.leads();
    const { portalId, ...rest } = body(raw);
    checkPortal(portalId, leads.portalId);
    return rest;
  };

  app.post('/v1/leads', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().register(input(request.body) as RegisterInput)),
  );

  app.patch<EmailParams>('/v1/leads/:email', opts, async (request, reply) =>
    reply
      .code(202)
      .send(await deps.leads().update({ ...input(request.body), email: request.params.email } as UpdateInput)),
  );

  app.post<EmailParams>('/v1/leads/:email/unsubscribe', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().unsubscribe({ ...input(request.body), email: request.params.email })),
  );

  app.post<EmailParams>('/v1/leads/:email/resubscribe', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().resubscribe({ ...input(request.body), email: request.params.email })),
  );

  app.delete<EmailParams>('/v1/leads/:email', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().delete({ ...input(request.body), email: request.params.email })),
  );

  app.post<EmailParams>('/v1/leads/:email/resync', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().resync({ ...input(request.body), email: request.params.email })),
  );

  app.post<EmailParams>('/v1/leads/:email/retry-failed', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().retryFailed({ ...input(request.body), email: request.params.email })),
  );

  app.get<EmailParams & { Querystring: { portalId?: string } }>('/v1/leads/:email', opts, async (request, reply) => {
    checkPortal(request.query.portalId, deps.leads().portalId);
    const state = await deps.leads().status(request.params.email);
    if (!state) return reply.code(404).send({ error: 'not_found', message: 'no lead with this email has been seen' });
    return reply.send(state);
  });
}
