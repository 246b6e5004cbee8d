/** The delivery client over a real loopback socket: what the backend receives, and what each answer becomes. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from '../../src/client/webhook-signature.js';
import { BackendDeliveryError, createBackendWebhook } from '../../src/deliveries/backend-webhook.js';
import type { BackendDelivery } from '../../src/shared/delivery-types.js';
import {
  startLoopback,
  type Loopback,
  type LoopbackAnswer,
  type RecordedRequest,
} from '../hubspot/helpers/loopback.js';
import { freePort } from '../helpers/net.js';

const SECRET = 'whsec-backend-test-0123456789';
const NOW = 1_767_225_600_000;
const delivery: BackendDelivery = {
  id: 'dlv-0001',
  type: 'lead.updated',
  portalId: '62515',
  email: 'zoë@example.com',
  hubspotId: '101',
  changes: { firstname: 'Zoë 名前', jobtitle: null },
  source: 'hubspot',
  occurredAt: '2026-01-01T00:00:00.000Z',
};

describe('backend webhook client', () => {
  let loopback: Loopback;
  let answer: (req: RecordedRequest) => LoopbackAnswer = () => ({ status: 200 });
  before(async () => (loopback = await startLoopback((req) => answer(req))));
  after(() => loopback.close());

  const webhook = (timeoutMs?: number) =>
    createBackendWebhook({
      url: `${loopback.baseUrl}/hooks/leadsync?via=test`,
      secret: SECRET,
      timeoutMs,
      now: () => NOW,
    });

  /** Posts once with `next` as the answer, and returns the error along with how many requests reached the server. */
  async function rejected(next: LoopbackAnswer | ((req: RecordedRequest) => LoopbackAnswer), timeoutMs?: number) {
    answer = typeof next === 'function' ? next : () => next;
    const before = loopback.requests.length;
    const err = await webhook(timeoutMs)
      .post(delivery)
      .then(
        () => assert.fail('expected the delivery to fail'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof BackendDeliveryError);
    for (const text of [err.message, JSON.stringify(err), String(err.stack)])
      assert.equal(text.includes(SECRET), false);
    return { err, requests: loopback.requests.length - before };
  }

  it('POSTs the delivery once, signed so that verifyWebhook accepts what arrived', async () => {
    answer = () => ({ status: 200, body: { ok: true } });
    const before = loopback.requests.length;
    assert.deepEqual(await webhook().post(delivery), { status: 200 });
    assert.equal(loopback.requests.length - before, 1);
    const req = loopback.requests.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/hooks/leadsync');
    assert.equal(req.query.get('via'), 'test');
    assert.equal(req.body, JSON.stringify(delivery));
    assert.deepEqual(JSON.parse(req.body), delivery);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['user-agent'], 'hubspot-lead-sync');
    assert.equal(req.headers['leadsync-delivery-id'], 'dlv-0001');
    const signature = req.headers['leadsync-signature'];
    assert.match(String(signature), new RegExp(`^t=${NOW / 1000},v1=[0-9a-f]{64}$`));
    assert.equal(verifyWebhook(req.body, signature, SECRET, { now: NOW }), true);
    assert.equal(verifyWebhook(Buffer.from(req.body, 'utf8'), signature, SECRET, { now: NOW }), true);
    assert.equal(verifyWebhook(req.body, signature, 'whsec-another-secret-000', { now: NOW }), false);
  });

  it('resolves on any 2xx', async () => {
    for (const status of [201, 202, 204]) {
      answer = () => ({ status });
      assert.deepEqual(await webhook().post(delivery), { status });
    }
  });

  it('408, 429 and 5xx are BackendUnavailable and retryable, each tried once', async () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      const { err, requests } = await rejected({ status, body: { error: 'busy' } });
      assert.equal(requests, 1, `${status}: no retry of its own`);
      assert.equal(err.type, 'BackendUnavailable');
      assert.equal(err.retryable, true);
      assert.equal(err.status, status);
      assert.equal(err.retryAfterMs, undefined);
      assert.equal(err.message, `backend webhook answered ${status}: {"error":"busy"}`);
    }
  });

  it('honours Retry-After on 429 and 503, as seconds or as an HTTP date', async () => {
    const answered = (status: number, value: string) => rejected({ status, headers: { 'retry-after': value } });
    assert.equal((await answered(429, '7')).err.retryAfterMs, 7000);
    assert.equal((await answered(429, new Date(NOW + 30_000).toUTCString())).err.retryAfterMs, 30_000);
    assert.equal((await answered(429, 'whenever')).err.retryAfterMs, undefined);
    assert.equal((await answered(503, '2')).err.retryAfterMs, 2000);
    assert.equal((await answered(500, '2')).err.retryAfterMs, undefined);
  });

  it('other 4xx and redirects are BackendRejected and permanent; a redirect is not followed', async () => {
    for (const status of [400, 401, 403, 404, 410, 413, 422]) {
      const { err } = await rejected({ status, body: 'no such lead' });
      assert.equal(err.type, 'BackendRejected');
      assert.equal(err.retryable, false);
      assert.equal(err.message, `backend webhook answered ${status}: no such lead`);
    }
    for (const status of [301, 302, 307, 308]) {
      const { err, requests } = await rejected((req) =>
        req.path === '/moved' ? { status: 200 } : { status, headers: { location: `${loopback.baseUrl}/moved` } },
      );
      assert.equal(requests, 1);
      assert.equal(loopback.requests.at(-1)?.path, '/hooks/leadsync');
      assert.deepEqual([err.type, err.retryable, err.status], ['BackendRejected', false, status]);
      assert.equal(err.message, `backend webhook answered ${status}`);
    }
  });

  it('quotes at most 200 characters of the answer, without control characters, the secret or the signature', async () => {
    const { err } = await rejected((req) => ({
      status: 500,
      body: `\u001b[31mgot ${String(req.headers['leadsync-signature'])}\r\nsecret=${SECRET}\u0000 ${'é'.repeat(400)}`,
    }));
    const signature = String(loopback.requests.at(-1)?.headers['leadsync-signature']);
    const digest = signature.split('v1=')[1] ?? '';
    assert.equal(digest.length, 64);
    assert.equal(err.message.includes(digest), false);
    assert.equal(err.message.includes(signature.split(',')[0] ?? ''), false, 'the whole header is redacted');
    assert.match(err.message, /^backend webhook answered 500: \[31mgot \[redacted\] secret=\[redacted\] é+…$/);
    assert.equal([...err.message.slice('backend webhook answered 500: '.length)].length, 201);
  });

  it('a receiver that does not answer in time is BackendUnavailable', async () => {
    const started = Date.now();
    const { err, requests } = await rejected('hang', 150);
    assert.ok(Date.now() - started < 5000, 'the timeout, not the default, ended the wait');
    assert.equal(requests, 1);
    assert.deepEqual([err.type, err.retryable, err.status], ['BackendUnavailable', true, undefined]);
    assert.equal(err.message, 'backend webhook timed out after 150 ms');
  });

  it('a reset or refused connection is BackendUnavailable', async () => {
    const { err: reset } = await rejected('reset');
    assert.deepEqual([reset.type, reset.retryable], ['BackendUnavailable', true]);
    assert.match(reset.message, /^backend webhook unreachable/);

    const port = await freePort();
    const refused = await createBackendWebhook({ url: `http://127.0.0.1:${port}/hooks`, secret: SECRET })
      .post(delivery)
      .then(
        () => assert.fail('expected the delivery to fail'),
        (e: unknown) => e,
      );
    assert.ok(refused instanceof BackendDeliveryError);
    assert.deepEqual([refused.type, refused.retryable], ['BackendUnavailable', true]);
    assert.equal(refused.message, 'backend webhook unreachable (ECONNREFUSED)');
  });

  it('refuses a configuration it cannot deliver with', () => {
    assert.throws(() => createBackendWebhook({ url: 'ftp://example.com/hooks', secret: SECRET }), TypeError);
    assert.throws(() => createBackendWebhook({ url: 'example.com/hooks', secret: SECRET }), TypeError);
    assert.throws(() => createBackendWebhook({ url: 'https://example.com/hooks', secret: '' }), RangeError);
    assert.throws(
      () => createBackendWebhook({ url: 'https://example.com/hooks', secret: SECRET, timeoutMs: 0 }),
      RangeError,
    );
  });
});
