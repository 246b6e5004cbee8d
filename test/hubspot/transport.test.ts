/**
 * Failures the sandbox cannot stage on demand, over a real loopback socket: a server that never answers,
 * one that resets the connection, one that is not there, and a non-JSON 2xx.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHubSpotClient, HubSpotError, staticTokenProvider } from '../../src/hubspot/index.js';
import { startLoopback, type Loopback, type LoopbackAnswer } from './helpers/loopback.js';

const TOKEN = 'pat-na1-00000000-aaaa-bbbb-cccc-transport000';

async function caught(promise: Promise<unknown>): Promise<HubSpotError> {
  const err = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HubSpotError);
  assert.equal(JSON.stringify(err).includes(TOKEN), false);
  assert.equal(err.message.includes(TOKEN), false);
  return err;
}

/** A port nothing listens on: bind one, note it, close it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

void describe('transport failures', () => {
  let loopback: Loopback;
  let next: LoopbackAnswer = { status: 200 };
  before(async () => (loopback = await startLoopback(() => next)));
  after(() => loopback.close());
  const client = (timeoutMs = 2000) =>
    createHubSpotClient({ baseUrl: loopback.baseUrl, tokenProvider: staticTokenProvider(TOKEN), timeoutMs });

  void it('a server that never answers → HubSpotTransient after the timeout, with a sanitized cause', async () => {
    next = 'hang';
    const err = await caught(client(150).contacts.getByEmail('a@example.com'));
    assert.equal(err.type, 'HubSpotTransient');
    assert.equal(err.retryable, true);
    assert.match(err.message, /timed out/);
    const cause = err.cause as Record<string, unknown>;
    assert.equal(cause.method, 'GET');
    assert.match(String(cause.url), /^http:\/\/127\.0\.0\.1:\d+\/crm\/objects\/2026-03\/contacts\/a%40example\.com\?/);
    assert.equal(JSON.stringify(cause).includes(TOKEN), false);
  });

  void it('a reset connection → HubSpotTransient', async () => {
    next = 'reset';
    const err = await caught(client().contacts.batchUpsertByEmail([{ email: 'a@example.com', properties: {} }]));
    assert.equal(err.type, 'HubSpotTransient');
    assert.match(err.message, /connection failed|socket hang up|ECONNRESET/);
  });

  void it('a refused connection → HubSpotTransient', async () => {
    const port = await deadPort();
    const hs = createHubSpotClient({ baseUrl: `http://127.0.0.1:${port}`, tokenProvider: staticTokenProvider(TOKEN) });
    const err = await caught(hs.contacts.getByEmail('a@example.com'));
    assert.equal(err.type, 'HubSpotTransient');
    assert.match(err.message, /ECONNREFUSED/);
  });

  void it('a 2xx that is not JSON → HubSpotBadResponse', async () => {
    next = { status: 200, body: '<html>maintenance</html>', headers: { 'content-type': 'text/html' } };
    const err = await caught(client().contacts.getByEmail('a@example.com'));
    assert.equal(err.type, 'HubSpotBadResponse');
    assert.equal(err.retryable, false);
  });

  void it('sends the bearer token and no retries of its own', async () => {
    next = { status: 503, body: { status: 'error', message: 'Service Unavailable', category: 'SERVICE_UNAVAILABLE' } };
    const before = loopback.requests.length;
    const err = await caught(client().contacts.getByEmail('a@example.com'));
    assert.equal(err.type, 'HubSpotTransient');
    assert.equal(loopback.requests.length - before, 1);
    assert.equal(loopback.requests.at(-1)?.headers.authorization, `Bearer ${TOKEN}`);
  });

  void it('an aborted call stops waiting for the budget', async () => {
    next = { status: 200, body: {} };
    const hs = createHubSpotClient({
      baseUrl: loopback.baseUrl,
      tokenProvider: staticTokenProvider(TOKEN),
      rateLimit: { max: 1, intervalMs: 60_000 },
    });
    hs.budget.saturate('api');
    const controller = new AbortController();
    const pending = hs.contacts.getByEmail('a@example.com', undefined, { signal: controller.signal });
    controller.abort(new Error('activity cancelled'));
    await assert.rejects(pending, /activity cancelled/);
  });
});
