import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Signature } from '@hubspot/api-client';
import type { Sandbox, WebhookConfig, WebhookEvent } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, CONTACTS_V3, open } from './helpers.js';
import { WebhookReceiver, type ReceivedRequest } from './webhook-receiver.js';
import type { Contact } from './wire-types.js';

const APP_ID = 7_654_321;
const PORTAL_ID = 99_001;

/** The request's v3 signature, checked by the official SDK and recomputed here from HubSpot's documented recipe. */
function assertSigned(request: ReceivedRequest, clientSecret: string, url: string): void {
  const timestamp = String(request.headers['x-hubspot-request-timestamp']);
  const signature = String(request.headers['x-hubspot-signature-v3']);
  assert.match(timestamp, /^\d{13}$/);
  assert.equal(
    Signature.isValid({
      signatureVersion: 'v3',
      method: 'POST',
      url,
      requestBody: request.body,
      clientSecret,
      signature,
      timestamp: Number(timestamp),
    }),
    true,
  );
  const recomputed = createHmac('sha256', clientSecret)
    .update(Buffer.from(`POST${url}${request.body}${timestamp}`, 'utf8'))
    .digest('base64');
  assert.equal(signature, recomputed);
}

/** A port on loopback that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  return typeof address === 'object' && address ? address.port : 0;
}

const brief = (event: WebhookEvent) => [
  event.subscriptionType,
  event.objectId,
  event.propertyName,
  event.propertyValue,
];

void describe('sandbox webhooks', () => {
  let sandbox: Sandbox;
  let receiver: WebhookReceiver;
  let token: string;

  const createContact = async (properties: Record<string, string>): Promise<Contact> => {
    const answer = await call<Contact>(sandbox, 'POST', CONTACTS_2026, { token, json: { properties } });
    assert.equal(answer.statusCode, 201);
    return answer.body;
  };

  before(async () => {
    receiver = await WebhookReceiver.start();
    sandbox = await open({
      appId: APP_ID,
      portalId: PORTAL_ID,
      webhooks: { targetUrl: receiver.url, batchWindowMs: 20, retryDelayMs: 20, timeoutMs: 300 },
    });
    token = sandbox.staticToken;
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(() => {
    sandbox.reset();
    receiver.clear();
  });

  void it('POSTs a JSON array of events, signed so that the official SDK accepts it', async () => {
    const contact = await createContact({ email: 'Ada@Example.com', firstname: 'Ada' });
    await sandbox.webhooks.idle();

    assert.equal(receiver.requests.length, 1);
    const [request] = receiver.requests as [ReceivedRequest];
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/hubspot/webhooks?portal=test');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.match(String(request.headers['user-agent']), /^HubSpot Connect 2\.0/);
    assert.equal(request.headers['x-hubspot-signature-version'], 'v3');
    assertSigned(request, sandbox.clientSecret, receiver.url);

    const events = JSON.parse(request.body) as WebhookEvent[];
    assert.ok(Array.isArray(events));
    const id = Number(contact.id);
    assert.deepEqual(events.map(brief), [
      ['contact.creation', id, undefined, undefined],
      ['contact.propertyChange', id, 'email', 'ada@example.com'],
      ['contact.propertyChange', id, 'firstname', 'Ada'],
    ]);
    const createdAt = Date.parse(contact.createdAt);
    for (const event of events) {
      assert.equal(event.portalId, PORTAL_ID);
      assert.equal(event.appId, APP_ID);
      assert.equal(event.attemptNumber, 0);
      assert.equal(event.occurredAt, createdAt);
      assert.equal(event.changeSource, 'INTEGRATION');
      assert.equal(event.sourceId, String(APP_ID));
      assert.equal(typeof event.eventId, 'number');
    }
    assert.equal(new Set(events.map((event) => event.eventId)).size, events.length);

    const config = sandbox.webhooks.config();
    const subscriptionOf = (event: WebhookEvent) =>
      config.subscriptions.find((subscription) => subscription.id === event.subscriptionId);
    assert.deepEqual(
      events.map((event) => [subscriptionOf(event)?.subscriptionType, subscriptionOf(event)?.propertyName]),
      [
        ['contact.creation', undefined],
        ['contact.propertyChange', 'email'],
        ['contact.propertyChange', 'firstname'],
      ],
    );
  });

  void it('rejects a tampered body or a wrong secret in the official SDK', async () => {
    await createContact({ email: 'tamper@example.com' });
    await sandbox.webhooks.idle();
    const [request] = receiver.requests as [ReceivedRequest];
    const options = {
      signatureVersion: 'v3',
      method: 'POST',
      url: receiver.url,
      signature: String(request.headers['x-hubspot-signature-v3']),
      timestamp: Number(request.headers['x-hubspot-request-timestamp']),
    };
    const secret = sandbox.clientSecret;
    assert.equal(Signature.isValid({ ...options, clientSecret: secret, requestBody: request.body }), true);
    assert.equal(Signature.isValid({ ...options, clientSecret: secret, requestBody: `${request.body} ` }), false);
    assert.equal(Signature.isValid({ ...options, clientSecret: 'not-the-secret', requestBody: request.body }), false);
    assert.equal(
      Signature.isValid({ ...options, url: `${receiver.url}&x=1`, clientSecret: secret, requestBody: request.body }),
      false,
    );
  });

  void it('sends a property change only for values that changed, with "" for a cleared one', async () => {
    const contact = await createContact({ email: 'grace@example.com', firstname: 'Grace', phone: '555' });
    await sandbox.webhooks.idle();
    receiver.clear();

    const same = await call<Contact>(sandbox, 'PATCH', `${CONTACTS_V3}/${contact.id}`, {
      token,
      json: { properties: { firstname: 'Grace', phone: '555' } },
    });
    assert.equal(same.statusCode, 200);
    await sandbox.webhooks.idle();
    assert.equal(receiver.requests.length, 0, 'an unchanged value emits nothing');

    const changed = await call<Contact>(sandbox, 'PATCH', `${CONTACTS_V3}/${contact.id}`, {
      token,
      json: { properties: { firstname: 'Grace', lastname: 'Hopper', phone: '' } },
    });
    assert.equal(changed.statusCode, 200);
    await sandbox.webhooks.idle();
    const events = receiver.events();
    assert.deepEqual(events.map(brief), [
      ['contact.propertyChange', Number(contact.id), 'lastname', 'Hopper'],
      ['contact.propertyChange', Number(contact.id), 'phone', ''],
    ]);
    assert.equal(events[0]?.occurredAt, Date.parse(String(changed.body.properties.lastmodifieddate)));
    assert.match(String(changed.body.properties.lastmodifieddate), /\.\d{3}Z$/);
  });

  void it('sends archives as contact.deletion and GDPR deletes as privacyDeletion and deletion', async () => {
    const archived = await createContact({ email: 'gone@example.com' });
    const erased = await createContact({ email: 'forget@example.com' });
    await sandbox.webhooks.idle();
    receiver.clear();

    assert.equal((await call(sandbox, 'DELETE', `${CONTACTS_2026}/${archived.id}`, { token })).statusCode, 204);
    const gdpr = await call(sandbox, 'POST', `${CONTACTS_2026}/gdpr-delete`, {
      token,
      json: { objectId: 'forget@example.com', idProperty: 'email' },
    });
    assert.equal(gdpr.statusCode, 204);
    await sandbox.webhooks.idle();

    assert.deepEqual(
      receiver.events().map((event) => [event.subscriptionType, event.objectId, event.changeSource]),
      [
        ['contact.deletion', Number(archived.id), 'INTEGRATION'],
        ['contact.privacyDeletion', Number(erased.id), 'INTEGRATION'],
        ['contact.deletion', Number(erased.id), 'INTEGRATION'],
      ],
    );
  });

  void it('splits a large batch into arrays of at most 100 events that share the batch timestamp', async () => {
    const inputs = Array.from({ length: 60 }, (_, n) => ({
      id: `bulk${n}@example.com`,
      idProperty: 'email',
      properties: { firstname: `Bulk ${n}` },
    }));
    const answer = await call<{ results: Contact[] }>(sandbox, 'POST', `${CONTACTS_2026}/batch/upsert`, {
      token,
      json: { inputs },
    });
    assert.equal(answer.statusCode, 200);
    await sandbox.webhooks.idle();

    const sizes = receiver.requests.map((request) => request.events.length);
    assert.deepEqual(sizes, [100, 80]);
    const events = receiver.events();
    assert.equal(events.filter((event) => event.subscriptionType === 'contact.creation').length, 60);
    assert.equal(new Set(events.map((event) => event.eventId)).size, 180);
    assert.equal(new Set(events.map((event) => event.occurredAt)).size, 1, 'one batch write, one timestamp');
    for (const request of receiver.requests) assertSigned(request, sandbox.clientSecret, receiver.url);
  });

  void it('retries a batch the target answers with 500 twice: attempts 0, 1, 2 with the same events', async () => {
    receiver.answerNext(500, 503);
    await createContact({ email: 'retry@example.com' });
    await sandbox.webhooks.idle();

    assert.equal(receiver.requests.length, 3);
    const ids = receiver.requests.map((request) => request.events.map((event) => event.eventId));
    assert.deepEqual(ids[1], ids[0]);
    assert.deepEqual(ids[2], ids[0]);
    assert.deepEqual(
      receiver.requests.map((request) => [...new Set(request.events.map((event) => event.attemptNumber))]),
      [[0], [1], [2]],
    );
    const timestamps = receiver.requests.map((request) => Number(request.headers['x-hubspot-request-timestamp']));
    assert.ok(timestamps[0]! < timestamps[1]! && timestamps[1]! < timestamps[2]!, 'each attempt is signed anew');
    assert.equal(new Set(receiver.requests.map((request) => request.headers['x-hubspot-signature-v3'])).size, 3);
    for (const request of receiver.requests) assertSigned(request, sandbox.clientSecret, receiver.url);

    assert.deepEqual(
      sandbox.webhooks.attempts().map((attempt) => [attempt.attemptNumber, attempt.status, attempt.eventIds]),
      [
        [0, 500, ids[0]],
        [1, 503, ids[0]],
        [2, 200, ids[0]],
      ],
    );
  });

  void it('retries a target that does not answer within the timeout', async () => {
    receiver.answerNext('hang');
    await createContact({ email: 'slow@example.com' });
    await sandbox.webhooks.idle();

    assert.deepEqual(
      sandbox.webhooks.attempts().map((attempt) => [attempt.attemptNumber, attempt.status]),
      [
        [0, 'timeout'],
        [1, 200],
      ],
    );
    assert.equal(receiver.requests.length, 2);
    assert.deepEqual(
      receiver.requests[1]?.events,
      receiver.requests[0]?.events.map((e) => ({ ...e, attemptNumber: 1 })),
    );
  });

  void it('gives up after maxAttempts when the connection fails, and logs each attempt as an error', async () => {
    const port = await closedPort();
    sandbox.webhooks.configure({ targetUrl: `http://127.0.0.1:${port}/hooks`, maxAttempts: 3 });
    await createContact({ email: 'nobody-home@example.com' });
    await sandbox.webhooks.idle();

    assert.deepEqual(
      sandbox.webhooks.attempts().map((attempt) => [attempt.attemptNumber, attempt.status]),
      [
        [0, 'error'],
        [1, 'error'],
        [2, 'error'],
      ],
    );
    assert.equal(receiver.requests.length, 0);
  });

  void it('keeps at most maxConcurrentRequests requests in flight', async () => {
    // No window: only full arrays leave, so three of them are queued by the time the writes are answered.
    sandbox.webhooks.configure({ maxConcurrentRequests: 2, batchWindowMs: 60_000 });
    receiver.hold();
    for (const wave of ['a', 'b']) {
      const inputs = Array.from({ length: 75 }, (_, n) => ({
        id: `wave-${wave}${n}@example.com`,
        idProperty: 'email',
        properties: {},
      }));
      const answer = await call(sandbox, 'POST', `${CONTACTS_2026}/batch/upsert`, { token, json: { inputs } });
      assert.equal(answer.statusCode, 200);
    }
    await receiver.openAtOnce(2);
    assert.equal(receiver.requests.length, 2, 'the third array waits for a free slot');
    receiver.release();
    await sandbox.webhooks.idle();
    assert.deepEqual(
      receiver.requests.map((request) => request.events.length),
      [100, 100, 100],
    );
    assert.equal(receiver.maxOpen, 2);
  });

  void it('sends nothing without a target, and starts with the changes made after one is configured', async () => {
    sandbox.webhooks.configure({ targetUrl: null });
    await createContact({ email: 'unseen@example.com' });
    await sandbox.webhooks.idle();
    assert.equal(receiver.requests.length, 0);
    assert.deepEqual(sandbox.webhooks.attempts(), []);

    sandbox.webhooks.configure({ targetUrl: receiver.url });
    const seen = await createContact({ email: 'seen@example.com' });
    await sandbox.webhooks.idle();
    assert.deepEqual([...new Set(receiver.events().map((event) => event.objectId))], [Number(seen.id)]);
  });

  void it('drops collected events when the target is turned off', async () => {
    sandbox.webhooks.configure({ batchWindowMs: 60_000 });
    await createContact({ email: 'dropped@example.com' });
    sandbox.webhooks.configure({ targetUrl: null });
    await sandbox.webhooks.idle();
    assert.equal(receiver.requests.length, 0);
  });

  void it('is configured and inspected over HTTP, without the client secret', async () => {
    const configured = await call<WebhookConfig>(sandbox, 'POST', '/_sandbox/webhooks', {
      json: { targetUrl: receiver.url, maxAttempts: 4, timeoutMs: 1000 },
    });
    assert.equal(configured.statusCode, 200);
    assert.equal(configured.body.maxAttempts, 4);
    assert.equal(configured.body.timeoutMs, 1000);
    assert.equal(configured.body.batchWindowMs, 20, 'omitted settings keep their values');

    await createContact({ email: 'logged@example.com' });
    await sandbox.webhooks.idle();
    const shown = await call<WebhookConfig & { attempts: Array<{ status: number; eventIds: number[] }> }>(
      sandbox,
      'GET',
      '/_sandbox/webhooks',
    );
    assert.equal(shown.statusCode, 200);
    assert.equal(shown.body.targetUrl, receiver.url);
    assert.equal(shown.body.appId, APP_ID);
    assert.deepEqual(
      shown.body.attempts.map((attempt) => [attempt.status, attempt.eventIds.length]),
      [[200, 2]],
    );
    assert.ok(!JSON.stringify(shown.body).includes(sandbox.clientSecret));

    for (const bad of [{ targetUrl: 'ftp://example.com' }, { maxAttempts: 0 }, { retries: 3 }]) {
      const answer = await call(sandbox, 'POST', '/_sandbox/webhooks', { json: bad });
      assert.equal(answer.statusCode, 400, JSON.stringify(bad));
    }
    assert.throws(() => sandbox.webhooks.configure({ timeoutMs: -1 }), /timeoutMs/);

    const off = await call<WebhookConfig>(sandbox, 'POST', '/_sandbox/webhooks', { json: { targetUrl: null } });
    assert.equal(off.body.targetUrl, null);
  });

  void it('mirrors a subscription change through the API as an INTEGRATION change of hs_email_optout_<id>', async () => {
    const contact = await createContact({ email: 'prefs@example.com' });
    const [definition] = (
      await call<{ subscriptionDefinitions: Array<{ id: string }> }>(
        sandbox,
        'GET',
        '/communication-preferences/v3/definitions',
        { token },
      )
    ).body.subscriptionDefinitions;
    await sandbox.webhooks.idle();
    receiver.clear();

    const answer = await call(sandbox, 'POST', '/communication-preferences/v3/unsubscribe', {
      token,
      json: { emailAddress: 'prefs@example.com', subscriptionId: definition?.id },
    });
    assert.equal(answer.statusCode, 200);
    await sandbox.webhooks.idle();
    assert.deepEqual(
      receiver.events().map((event) => [...brief(event), event.changeSource, event.sourceId]),
      [
        [
          'contact.propertyChange',
          Number(contact.id),
          `hs_email_optout_${definition?.id}`,
          'true',
          'INTEGRATION',
          String(APP_ID),
        ],
      ],
    );
  });
});
