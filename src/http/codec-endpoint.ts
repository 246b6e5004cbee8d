import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { maskSecrets, redactTokenShapes } from '../hubspot/redact.js';
import { SECRET_FIELDS } from '../shared/secret-fields.js';
import { UnknownKeyError } from '../temporal/codec.js';
import { capabilityMatches, requireApiKey } from './auth.js';

export const payloadsBody = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), z.string()).optional(),
      data: z.string().optional(),
    }),
  ),
});

type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

/**
 * Operators read histories through this endpoint, but tokens are for the worker alone. A decoded JSON payload has
 * its credentials masked before it leaves: the fields the shared types declare secret, and anything token-shaped in
 * any other field or inside a message (a `lastError`, a failure's text), since a list of names alone misses the token
 * that turns up under a new one.
 */
function withoutSecrets(payload: Payload): Payload {
  const encoding = payload.metadata?.encoding;
  if (!encoding || Buffer.from(encoding).toString() !== 'json/plain' || !payload.data) return payload;
  return { ...payload, data: Buffer.from(maskedJson(Buffer.from(payload.data).toString('utf8'))) };
}

function maskedJson(text: string): string {
  try {
    return JSON.stringify(maskSecrets(JSON.parse(text) as unknown, { fields: SECRET_FIELDS }));
  } catch {
    return redactTokenShapes(text);
  }
}

/** Fixed answers: a codec's own message may name key ids or echo payload bytes back to an unauthenticated caller. */
function codecFailure(err: unknown, request: FastifyRequest): { error: string; message: string } {
  if (err instanceof UnknownKeyError) {
    request.log.warn(
      { keyId: err.keyId.slice(0, 64) },
      'codec: payload encrypted with a key this service does not hold',
    );
    return { error: 'unknown_key', message: 'payload was encrypted with a key this service does not hold' };
  }
  request.log.warn({ reason: err instanceof Error ? err.name : typeof err }, 'codec: payload could not be processed');
  return { error: 'codec_failed', message: 'payload could not be decrypted or encoded' };
}

export interface CodecEndpointOptions {
  codec: PayloadCodec;
  apiKey?: string;
  /** Origins of the Temporal Web UI allowed to call from the browser. */
  uiOrigins: string[];
}

/**
 * Temporal's remote codec protocol (`POST <endpoint>/encode|decode`, proto-JSON payloads), so the Web UI and
 * `temporal --codec-endpoint` show plaintext to operators while the server keeps ciphertext.
 */
export function registerCodecEndpoint(app: FastifyInstance, options: CodecEndpointOptions): void {
  const auth = requireApiKey({ apiKey: options.apiKey });

  const cors = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin && options.uiOrigins.includes(origin)) {
      void reply.header('access-control-allow-origin', origin);
      void reply.header('vary', 'origin');
      void reply.header('access-control-allow-headers', 'content-type, authorization, x-namespace');
      void reply.header('access-control-allow-methods', 'POST, OPTIONS');
      void reply.header('access-control-allow-credentials', 'true');
    }
    return Promise.resolve();
  };

  const handler = (op: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = payloadsBody.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid_body', message: 'expected { payloads: [{ metadata, data }] }' });
    }
    const input = parsed.data.payloads.map(fromJson);
    try {
      const out =
        op === 'encode' ? await options.codec.encode(input) : (await options.codec.decode(input)).map(withoutSecrets);
      return reply.send({ payloads: out.map(toJson) });
    } catch (err) {
      return reply.code(400).send(codecFailure(err, request));
    }
  };

  for (const op of ['encode', 'decode'] as const) {
    app.options(`/codec/${op}`, { preHandler: cors }, (_req, reply) => reply.code(204).send());
    app.post(`/codec/${op}`, { preHandler: [cors, auth] }, handler(op));
    app.options(`/codec/ui/:capability/${op}`, { preHandler: cors }, (_req, reply) => reply.code(204).send());
    app.post<{ Params: { capability: string } }>(
      `/codec/ui/:capability/${op}`,
      {
        preHandler: [
          cors,
          async (request: FastifyRequest<{ Params: { capability: string } }>, reply: FastifyReply) => {
            if (!capabilityMatches(options.apiKey, request.params.capability))
              await reply.code(404).send({ error: 'not_found' });
          },
        ],
      },
      handler(op),
    );
  }
}
