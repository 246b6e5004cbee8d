import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import got from 'got';
import { codecCapability, requireApiKey } from '../../src/http/auth.js';
import { registerCodecEndpoint } from '../../src/http/codec-endpoint.js';
import { AesGcmCodec } from '../../src/temporal/codec.js';

// Constant time is by construction (both sides hashed to equal-length digests, see src/http/auth.ts); what a test
// can show is the behaviour: every wrong key is refused, whatever its length, and the right one is let in.
const API_KEY = 'k3y-of-the-auth-test-0123456789';

/** Keys that differ from the right one in length, in content, or both. */
const wrongKeys = [
  'x',
  API_KEY.slice(0, -1),
  `${API_KEY}x`,
  `${API_KEY.slice(0, -1)}X`,
  API_KEY.toUpperCase(),
  API_KEY.repeat(8),
  ` ${API_KEY}`,
];

describe('API key and codec capability checks', () => {
  let app: FastifyInstance;
  let base: string;
  const capability = codecCapability(API_KEY);

  before(async () => {
    app = Fastify();
    app.get('/guarded', { preHandler: requireApiKey({ apiKey: API_KEY }) }, () => ({ ok: true }));
    registerCodecEndpoint(app, {
      codec: new AesGcmCodec([{ id: 'k1', key: Buffer.alloc(32, 7) }]),
      apiKey: API_KEY,
      uiOrigins: [],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => app?.close());

  const get = (authorization?: string) =>
    got(`${base}/guarded`, {
      headers: authorization === undefined ? {} : { authorization },
      throwHttpErrors: false,
      retry: { limit: 0 },
    });
  const decode = (segment: string) =>
    got.post(`${base}/codec/ui/${encodeURIComponent(segment)}/decode`, {
      json: { payloads: [] },
      throwHttpErrors: false,
      retry: { limit: 0 },
    });

  it('accepts the right key', async () => {
    const res = await get(`Bearer ${API_KEY}`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(res.body), { ok: true });
  });

  it('refuses wrong keys of every length, a missing key and another scheme', async () => {
    const candidates = [...wrongKeys.map((k) => `Bearer ${k}`), undefined, 'Bearer ', `Basic ${API_KEY}`];
    for (const [i, candidate] of candidates.entries()) {
      const res = await get(candidate);
      assert.equal(res.statusCode, 401, `wrong authorization #${i} was let in`);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
      assert.ok(!res.body.includes(API_KEY), 'the answer never echoes the key');
    }
  });

  it('serves the codec capability path for the right capability only', async () => {
    assert.equal((await decode(capability)).statusCode, 200);
    const wrongCapabilities = [
      'x',
      capability.slice(0, -1),
      `${capability}x`,
      `${capability.slice(0, -1)}${capability.endsWith('A') ? 'B' : 'A'}`,
      // Within Fastify's 100-character limit on path parameters: beyond it Fastify answers 414 before our check.
      capability.repeat(3),
      API_KEY,
    ];
    for (const [i, candidate] of wrongCapabilities.entries()) {
      assert.equal((await decode(candidate)).statusCode, 404, `wrong capability #${i} was let in`);
    }
  });
});
