import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { capabilityMatches, requireApiKey } from './auth.js';

const payloadsBody = z.object({
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

const SECRET_KEYS = new Set([
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'clientSecret',
  'client_secret',
]);

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '[redacted]' : redact(v)]));
}

/**
 * Operators read histories through this endpoint, but tokens are for the worker alone: a decoded JSON payload
 * has its token fields masked before it leaves.
 */
function withoutSecrets(payload: Payload): Payload {
  const encoding = payload.metadata?.encoding;
  if (!encoding || Buffer.from(encoding).toString() !== 'json/plain' || !payload.data) return payload;
  try {
    const masked = JSON.stringify(redact(JSON.parse(Buffer.from(payload.data).toString('utf8'))));
    return { ...payload, data: Buffer.from(masked) };
  } catch {
    return payload;
  }
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
      return reply.code(400).send({ error: 'codec_failed', message: (err as Error).message });
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
