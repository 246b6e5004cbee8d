import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import got, { type Response } from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LeadState } from '../../src/shared/lead-types.js';
import { connectTemporal } from '../helpers/temporal.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';

interface ErrorBody {
  error: string;
  message: string;
  issues?: Array<{ field: string; message: string }>;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** The one error shape: `error` and `message`, and `issues` when a field is to blame; nothing else. */
function errorOf(res: Response<string>, status: number): ErrorBody {
  assert.equal(res.statusCode, status, res.body);
  const body = JSON.parse(res.body) as ErrorBody;
  assert.deepEqual(
    Object.keys(body).filter((k) => !['error', 'message', 'issues'].includes(k)),
    [],
    `unexpected keys in ${res.body}`,
  );
  assert.equal(typeof body.error, 'string');
  assert.equal(typeof body.message, 'string');
  return body;
}

describe('HTTP API answers, over a socket to the whole service', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService;
  let api: typeof got;

  before(async () => {
    ({ env, close } = await connectTemporal());
    service = await startTestService({ temporalAddress: env.address });
    api = got.extend({ prefixUrl: service.httpUrl, throwHttpErrors: false, retry: { limit: 0 } });
  });
  after(async () => {
    await service?.stop();
    await close();
  });

  const address = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const state = async (email: string) =>
    JSON.parse((await api.get(`v1/leads/${encodeURIComponent(email)}`)).body) as LeadState;
  const synced = (email: string, predicate: (s: LeadState) => boolean = () => true) =>
    eventually(
      async () => {
        const s = await state(email);
        return s.status === 'synced' && s.pending.length === 0 && predicate(s) ? s : undefined;
      },
      { what: `lead ${email} to be synced` },
    );

  it('says "must be a string" for a field of the wrong type and "is required" only for an absent one', async () => {
    const issues = async (path: string, json: unknown, method: 'post' | 'patch' = 'post') =>
      errorOf(await api[method](path, { json }), 400).issues;
    assert.deepEqual(await issues('v1/leads', { email: 123 }), [{ field: 'email', message: 'must be a string' }]);
    assert.deepEqual(await issues('v1/leads', { email: null }), [{ field: 'email', message: 'must be a string' }]);
    assert.deepEqual(await issues('v1/leads', { properties: {} }), [{ field: 'email', message: 'is required' }]);
    assert.deepEqual(await issues('v1/leads', { email: 'ada@example.com', properties: 'Ada' }), [
      { field: 'properties', message: 'must be an object of property names and values' },
    ]);
    assert.deepEqual(await issues('v1/leads', { email: 'ada@example.com', eventId: 7 }), [
      { field: 'eventId', message: 'must be a string' },
    ]);
    assert.deepEqual(await issues('v1/leads/ada@example.com', { eventId: 'e-1' }, 'patch'), [
      { field: 'properties', message: 'is required' },
    ]);
    assert.deepEqual(await issues('v1/leads/ada@example.com/unsubscribe', { legalBasisExplanation: false }), [
      { field: 'legalBasisExplanation', message: 'must be a string' },
    ]);
    assert.deepEqual(await issues('v1/leads/ada@example.com/retry-failed', { eventIds: 'all' }), [
      { field: 'eventIds', message: 'must be an array of event ids' },
    ]);
  });

  it('refuses a body that is JSON but no object, or no JSON at all, naming the body', async () => {
    for (const body of ['[1]', 'null', '"ada@example.com"']) {
      const answer = errorOf(await api.post('v1/leads', { headers: JSON_TYPE, body }), 400);
      assert.equal(answer.error, 'invalid_input');
      assert.deepEqual(answer.issues, [{ field: '(body)', message: 'must be a JSON object' }], body);
    }
    const broken = errorOf(await api.post('v1/leads', { headers: JSON_TYPE, body: '{"email":' }), 400);
    assert.equal(broken.error, 'invalid_input');
    assert.deepEqual(broken.issues, [{ field: '(body)', message: 'must be valid JSON' }]);
    const poisoned = errorOf(
      await api.post('v1/leads', { headers: JSON_TYPE, body: '{"email":"a@example.com","__proto__":{"x":1}}' }),
      400,
    );
    assert.deepEqual(poisoned.issues, [
      { field: '(body)', message: 'must not contain __proto__ or constructor.prototype keys' },
    ]);
  });

  it('answers 415 "send application/json" to plain text, a form, and a body with no content type', async () => {
    const bodies = [
      { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ email: 'ada@example.com' }) },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=ada%40example.com' },
      { headers: {}, body: JSON.stringify({ email: 'ada@example.com' }) },
    ];
    for (const options of bodies) {
      const answer = errorOf(await api.post('v1/leads', options), 415);
      assert.equal(answer.error, 'unsupported_media_type');
      assert.equal(answer.message, 'send application/json');
      assert.deepEqual(answer.issues, [{ field: 'content-type', message: 'must be application/json' }]);
    }
    assert.equal(service.sandbox!.contacts.byEmail('ada@example.com'), undefined, 'nothing was registered');
  });

  it('answers an unknown route and a body over the limit in the same shape', async () => {
    const missing = errorOf(await api.get('v1/nothing-here'), 404);
    assert.equal(missing.error, 'not_found');
    assert.equal(missing.issues, undefined);
    errorOf(await api.post('v1/leads/ada@example.com/nothing-here', { json: {} }), 404);

    const huge = 'x'.repeat(60_000);
    const properties = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`note_${i}`, huge]));
    const tooLarge = errorOf(await api.post('v1/leads', { json: { email: 'big@example.com', properties } }), 413);
    assert.equal(tooLarge.error, 'body_too_large');
    assert.deepEqual(tooLarge.issues, [{ field: '(body)', message: 'must be at most 262144 bytes' }]);
  });

  it('takes an empty body sent as application/json on every call that needs no body', async () => {
    const email = address('empty');
    assert.equal((await api.post('v1/leads', { json: { email } })).statusCode, 202);
    await synced(email, (s) => s.hubspotId !== undefined);
    const empty = { headers: JSON_TYPE, body: '' };
    for (const action of ['unsubscribe', 'resubscribe', 'resync', 'retry-failed']) {
      const res = await api.post(`v1/leads/${email}/${action}`, empty);
      assert.equal(res.statusCode, 202, `${action}: ${res.body}`);
    }
    await synced(email, (s) => s.processedEvents === 4);
    assert.equal(service.sandbox!.subscriptionStatus(email).unsubscribedFromAll, false, 'unsubscribed, then back');

    const deleted = await api.delete(`v1/leads/${email}`, empty);
    assert.equal(deleted.statusCode, 202, deleted.body);
    await eventually(async () => (await state(email)).deleted, { what: 'the GDPR delete' });
    assert.equal(service.sandbox!.contacts.byEmail(email), undefined);

    // An empty body is no body, so a call that needs one still says what is missing.
    const register = errorOf(await api.post('v1/leads', empty), 400);
    assert.deepEqual(register.issues, [{ field: 'email', message: 'is required' }]);
  });

  it('takes any printable event id up to 255 characters, "@" and accents included, and applies it once', async () => {
    const email = address('idem');
    for (const eventId of [`signup:${email}`, `inscription-é-${'ü'.repeat(200)}`]) {
      for (let i = 0; i < 2; i++) {
        const res = await api.post('v1/leads', { json: { email, eventId }, responseType: 'json' });
        assert.equal(res.statusCode, 202, JSON.stringify(res.body));
        assert.equal((res.body as { eventId: string }).eventId, eventId);
      }
    }
    const lead = await synced(email, (s) => s.processedEvents === 2);
    assert.equal(lead.failed.length, 0);
    assert.equal(lead.hubspotId, service.sandbox!.contacts.byEmail(email)?.id);

    const refused = [
      ['', 'must not be empty'],
      ['x'.repeat(256), 'must be at most 255 characters'],
      ['line\nbreak', 'must be printable: no control characters'],
      ['tab\there', 'must be printable: no control characters'],
      ['del\u007f', 'must be printable: no control characters'],
    ];
    for (const [eventId, message] of refused) {
      const answer = errorOf(await api.post('v1/leads', { json: { email, eventId } }), 400);
      assert.deepEqual(answer.issues, [{ field: 'eventId', message }], JSON.stringify(eventId));
    }
    assert.equal((await state(email)).processedEvents, 2, 'no refused event reached the lead');
  });
});
