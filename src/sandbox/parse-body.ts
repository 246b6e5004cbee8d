import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { invalidInput } from './errors.js';
import { describeIssues } from './schemas.js';

/** Parses the body with the schema, or answers HubSpot's 400 and returns undefined. */
export function parseBody<T extends z.ZodType>(
  schema: T,
  request: FastifyRequest,
  reply: FastifyReply,
): z.output<T> | undefined {
  const result = schema.safeParse(request.body ?? {});
  if (result.success) return result.data;
  void invalidInput(request, reply, describeIssues(result.error));
  return undefined;
}

export const queryOf = (request: FastifyRequest): Record<string, unknown> => request.query as Record<string, unknown>;

export function queryString(request: FastifyRequest, name: string): string | undefined {
  const raw = queryOf(request)[name];
  const value: unknown = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value : undefined;
}
