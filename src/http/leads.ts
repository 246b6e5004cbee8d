import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { LeadSyncClient } from '../client/lead-sync-client.js';
import type { RegisterInput, UpdateInput } from '../client/schemas.js';

type EmailParams = { Params: { email: string } };
// Bodies are untrusted here; the client's zod schemas check every field and name the bad ones.
type Body = Record<string, unknown>;

function body(raw: unknown): Body {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Body) : {};
}

/** DESIGN.md's lead API: writes answer 202 with the workflow id once Temporal has the event. */
export function registerLeadRoutes(
  app: FastifyInstance,
  deps: { leads: () => LeadSyncClient; auth: preHandlerAsyncHookHandler },
): void {
  const opts = { preHandler: deps.auth };

  app.post('/v1/leads', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().register(body(request.body) as RegisterInput)),
  );

  app.patch<EmailParams>('/v1/leads/:email', opts, async (request, reply) =>
    reply
      .code(202)
      .send(await deps.leads().update({ ...body(request.body), email: request.params.email } as UpdateInput)),
  );

  app.post<EmailParams>('/v1/leads/:email/unsubscribe', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().unsubscribe({ ...body(request.body), email: request.params.email })),
  );

  app.post<EmailParams>('/v1/leads/:email/resubscribe', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().resubscribe({ ...body(request.body), email: request.params.email })),
  );

  app.delete<EmailParams>('/v1/leads/:email', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().delete({ ...body(request.body), email: request.params.email })),
  );

  app.post<EmailParams>('/v1/leads/:email/resync', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().resync({ ...body(request.body), email: request.params.email })),
  );

  app.post<EmailParams>('/v1/leads/:email/retry-failed', opts, async (request, reply) =>
    reply.code(202).send(await deps.leads().retryFailed({ ...body(request.body), email: request.params.email })),
  );

  app.get<EmailParams>('/v1/leads/:email', opts, async (request, reply) => {
    const state = await deps.leads().status(request.params.email);
    if (!state) return reply.code(404).send({ error: 'not_found', message: 'no lead with this email has been seen' });
    return reply.send(state);
  });
}
