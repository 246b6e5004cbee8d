import type { FastifyError, FastifyInstance } from 'fastify';
import { LeadNotFoundError } from '../client/lead-sync-client.js';
import { LeadInputError } from '../client/schemas.js';

/** Every 4xx names what was wrong; nothing else about the request or its secrets is echoed. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (err: FastifyError | LeadInputError | LeadNotFoundError, request, reply) => {
    if (err instanceof LeadInputError) {
      return reply.code(400).send({ error: 'invalid_input', message: err.message, issues: err.issues });
    }
    if (err instanceof LeadNotFoundError) return reply.code(404).send({ error: 'not_found', message: err.message });
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({
        error: 'body_too_large',
        message: `request body exceeds ${request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes`,
      });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: 'unsupported_media_type', message: 'send application/json' });
    }
    if (err.statusCode === 503) return reply.code(503).send({ error: 'unavailable', message: err.message });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply
        .code(err.statusCode)
        .send({ error: 'bad_request', message: err.message, issues: [{ field: '(body)', message: err.message }] });
    }
    request.log.error({ err: { message: err.message, name: err.name } }, 'request failed');
    return reply
      .code(503)
      .send({ error: 'unavailable', message: 'the request could not be handed to Temporal; retry it' });
  });
}
