import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import got from 'got';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { codecCapability } from '../../../src/http/auth.js';
import { registerCodecEndpoint } from '../../../src/http/codec-endpoint.js';
import { createLogger } from '../../../src/service/logger.js';

export interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

export interface CodecAnswer {
  status: number;
  /** The raw response body, as a caller on the socket sees it. */
  raw: string;
  /** Each returned payload's data as text. */
  texts: string[];
}

export interface CodecServer {
  /** `bearer`: `/codec/...` with the API key; `capability`: `/codec/ui/<capability>/...`, as the Web UI calls it. */
  call(op: 'encode' | 'decode', payloads: JsonPayload[], route: 'bearer' | 'capability'): Promise<CodecAnswer>;
  /** The service's log lines, as pino wrote them. */
  logLines(): string[];
  close(): Promise<void>;
}

export function toJsonPayload(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

/** The codec endpoint as the service registers it, on a real socket, logging through the service's logger. */
export async function startCodecServer(options: { codec: PayloadCodec; apiKey: string }): Promise<CodecServer> {
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const app = Fastify({ loggerInstance: createLogger('info', sink) as unknown as FastifyBaseLogger });
  registerCodecEndpoint(app, { codec: options.codec, apiKey: options.apiKey, uiOrigins: [] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    async call(op, payloads, route) {
      const url =
        route === 'bearer' ? `${base}/codec/${op}` : `${base}/codec/ui/${codecCapability(options.apiKey)}/${op}`;
      const headers: Record<string, string> = route === 'bearer' ? { authorization: `Bearer ${options.apiKey}` } : {};
      const res = await got.post(url, { json: { payloads }, headers, throwHttpErrors: false, retry: { limit: 0 } });
      const body = JSON.parse(res.body) as { payloads?: JsonPayload[] };
      const texts = (body.payloads ?? []).map((p) => Buffer.from(p.data, 'base64').toString('utf8'));
      return { status: res.statusCode, raw: res.body, texts };
    },
    logLines: () => logged.split('\n').filter(Boolean),
    close: () => app.close(),
  };
}
