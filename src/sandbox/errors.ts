import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorDetail {
  message: string;
  code?: string;
  in?: string;
  context?: Record<string, string[]>;
}

export interface ErrorExtras {
  context?: Record<string, string[]>;
  errors?: ErrorDetail[];
  links?: Record<string, string>;
  subCategory?: string;
}

/** HubSpot's standard error body (the specs' `Error` schema plus the `status` field HubSpot always sends). */
export function errorBody(correlationId: string, category: string, message: string, extras: ErrorExtras = {}) {
  return { status: 'error', message, correlationId, category, ...extras };
}

/** The per-input error of batch answers (the specs' `StandardError`): context, errors and links are always present. */
export function standardError(category: string, message: string, extras: Omit<ErrorExtras, 'subCategory'> = {}) {
  return {
    status: 'error',
    category,
    message,
    context: extras.context ?? {},
    errors: extras.errors ?? [],
    links: extras.links ?? {},
  };
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  category: string,
  message: string,
  extras: ErrorExtras = {},
): FastifyReply {
  return reply.code(statusCode).send(errorBody(request.sandbox.correlationId, category, message, extras));
}

export function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(request, reply, 404, 'OBJECT_NOT_FOUND', 'resource not found');
}

export function invalidInput(request: FastifyRequest, reply: FastifyReply, detail: string): FastifyReply {
  return sendError(request, reply, 400, 'VALIDATION_ERROR', `Invalid input JSON on line 1, column 1: ${detail}`);
}

/**
 * HubSpot's OAuth errors carry a machine-readable `status` (BAD_REFRESH_TOKEN, BAD_CLIENT_ID, ...) and the RFC 6749
 * `error` pair; `category` repeats the status so that the body also satisfies the specs' `Error` schema.
 */
export function oauthError(
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  status: string,
  message: string,
  error: string,
): FastifyReply {
  return reply.code(statusCode).send({
    status,
    message,
    correlationId: request.sandbox.correlationId,
    category: status,
    error,
    error_description: message,
  });
}
