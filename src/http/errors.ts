import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LeadNotFoundError } from '../client/lead-sync-client.js';
import { LeadInputError } from '../client/schemas.js';

const ERROR_NAMES: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
};

/** The body of every 4xx below (and of the 503s): the OpenAPI document describes errors with this schema. */
export const errorBodySchema = z.strictObject({
  error: z.string().describe('a stable name: invalid_input, not_found, unauthorized, body_too_large, ...'),
  message: z.string(),
  issues: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
});

/**
 * Every 4xx has one shape, `{ error, message, issues? }`, and names what was wrong where it knows; nothing else
 * about the request or its secrets is echoed.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler(async (_request, reply) =>
    reply.code(404).send({ error: 'not_found', message: 'no route matches this method and path' }),
  );
  app.setErrorHandler(async (err: FastifyError | LeadInputError | LeadNotFoundError, request, reply) => {
    if (err instanceof LeadInputError) {
      return reply.code(400).send({ error: 'invalid_input', message: err.message, issues: err.issues });
    }
    if (err instanceof LeadNotFoundError) return reply.code(404).send({ error: 'not_found', message: err.message });
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit;
      return reply.code(413).send({
        error: 'body_too_large',
        message: `request body exceeds ${limit} bytes`,
        issues: [{ field: '(body)', message: `must be at most ${limit} bytes` }],
      });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({
        error: 'unsupported_media_type',
        message: 'send application/json',
        issues: [{ field: 'content-type', message: 'must be application/json' }],
      });
    }
    if (err.statusCode === 503) return reply.code(503).send({ error: 'unavailable', message: err.message });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's body errors (a broken content-length, say) are about the body; other 4xx name no field.
      const aboutBody = err.code?.startsWith('FST_ERR_CTP_') ?? false;
      return reply.code(err.statusCode).send({
        error: ERROR_NAMES[err.statusCode] ?? 'bad_request',
        message: err.message,
        ...(aboutBody ? { issues: [{ field: '(body)', message: err.message }] } : {}),
      });
    }
    request.log.error({ err: { message: err.message, name: err.name } }, 'request failed');
    return reply
      .code(503)
      .send({ error: 'unavailable', message: 'the request could not be handed to Temporal; retry it' });
  });
}
