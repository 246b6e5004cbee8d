import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Exchange } from './types.js';

const SECRET_FIELDS = new Set(['access_token', 'refresh_token', 'client_secret', 'code', 'token', 'id_token']);
const TOKEN_PATH = /^(\/oauth\/v1\/(?:access|refresh)-tokens\/)[^/]+$/;
export const REDACTED = 'redacted';

/** Recorded exchanges may end up in test output, so tokens and secrets are replaced (keeping their JSON type). */
function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_FIELDS.has(key) && typeof inner === 'string' ? REDACTED : redact(inner),
    ]),
  );
}

const scalarText = (value: unknown): string =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);

function flatten(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.map(scalarText).join(',') : scalarText(value);
  }
  return out;
}

function parsePayload(payload: unknown, contentType: string): unknown {
  if (payload === null || payload === undefined || payload === '') return undefined;
  const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : typeof payload === 'string' ? payload : undefined;
  if (text === undefined) return undefined;
  if (!contentType.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toExchange(request: FastifyRequest, reply: FastifyReply, payload: unknown, dropped: boolean): Exchange {
  const [rawPath = '', rawQuery = ''] = request.url.split('?');
  const requestHeaders = flatten(request.headers);
  if (requestHeaders.authorization) requestHeaders.authorization = `Bearer ${REDACTED}`;
  const responseHeaders = flatten(reply.getHeaders());
  const exchange: Exchange = {
    method: request.method,
    path: rawPath.replace(TOKEN_PATH, `$1${REDACTED}`),
    query: flatten(redact(Object.fromEntries(new URLSearchParams(rawQuery))) as Record<string, unknown>),
    requestHeaders,
    requestBody: redact(request.body),
    status: reply.statusCode,
    responseHeaders,
    responseBody: redact(parsePayload(payload, responseHeaders['content-type'] ?? '')),
    route: request.sandbox.meta.name,
  };
  if (dropped) exchange.dropped = true;
  return exchange;
}
