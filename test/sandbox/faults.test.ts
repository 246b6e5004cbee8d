import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, CONTACTS_V3, open } from './helpers.js';
import type { Batch } from './wire-types.js';

void describe('sandbox fault injection', () => {
  let sandbox: Sandbox;
  let token: string;
  before(async () => {
    sandbox = await open();
    token = sandbox.staticToken;
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  const upsert = (email: string) =>
    call<Batch>(sandbox, 'POST', `${CONTACTS_2026}/batch/upsert`, {
      token,
      json: { inputs: [{ id: email, idProperty: 'email', properties: {} }] },
    });

  void it('fails the next calls of a named route, only that route, then recovers', async () => {
    sandbox.faults.failNext({ route: 'contacts.batchUpsert', status: 503, count: 2 });
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 200);
    const first = await upsert('a@example.com');
    assert.equal(first.statusCode, 503);
    assert.equal(first.body.status, 'error');
    assert.equal(typeof first.body.correlationId, 'string');
    assert.equal((await upsert('a@example.com')).statusCode, 503);
    assert.equal(sandbox.contacts.all().length, 0, 'an injected failure applies nothing');
    assert.equal((await upsert('a@example.com')).statusCode, 200);
    assert.equal(sandbox.counters().injectedErrors, 2);
  });

  void it('matches a path prefix and a method, and sends the given body and headers', async () => {
    sandbox.faults.failNext({
      route: '/crm/v3/',
      method: 'POST',
      status: 429,
      body: { status: 'error', message: 'custom', errorType: 'RATE_LIMIT', policyName: 'DAILY' },
      headers: { 'retry-after': '7' },
    });
    assert.equal((await call(sandbox, 'GET', CONTACTS_V3, { token })).statusCode, 200);
    assert.equal((await call(sandbox, 'POST', CONTACTS_2026, { token, json: { properties: {} } })).statusCode, 201);
    const answer = await call(sandbox, 'POST', CONTACTS_V3, { token, json: { properties: {} } });
    assert.equal(answer.statusCode, 429);
    assert.equal(answer.headers['retry-after'], '7');
    assert.equal(answer.body.policyName, 'DAILY');
  });

  void it('fails the token endpoint only when asked by route', async () => {
    sandbox.faults.failNext({ status: 500 });
    const form = {
      grant_type: 'refresh_token',
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      refresh_token: sandbox.issueRefreshToken(),
    };
    assert.equal((await call(sandbox, 'POST', '/oauth/2026-03/token', { form })).statusCode, 200);
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 500);

    sandbox.faults.failNext({ route: 'oauth.token', status: 502 });
    assert.equal((await call(sandbox, 'POST', '/oauth/v1/token', { form })).statusCode, 502);
    assert.equal(sandbox.counters().refreshes, 1);
  });

  void it('applies the write, then drops the connection without answering', async () => {
    sandbox.faults.dropNext({ route: 'contacts.batchUpsert' });
    await assert.rejects(upsert('dropped@example.com'), (error: Error & { code?: string }) => {
      assert.match(`${error.code} ${error.message}`, /ECONNRESET|socket hang up/);
      return true;
    });
    assert.ok(sandbox.contacts.byEmail('dropped@example.com'), 'the write was applied');
    const counters = sandbox.counters();
    assert.equal(counters.dropped, 1);
    assert.equal(counters.writesApplied, 1);
    assert.equal(sandbox.exchanges.at(-1)?.dropped, true);

    const retried = await upsert('dropped@example.com');
    assert.equal(retried.statusCode, 200);
    assert.equal(retried.body.results[0]?.new, false, 'a retry after a lost answer finds the contact');
  });

  void it('keeps a drop queued until a write succeeds', async () => {
    sandbox.faults.dropNext({});
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 200, 'reads are not dropped');
    const invalid = await call(sandbox, 'POST', CONTACTS_2026, { token, json: { properties: { nope: '1' } } });
    assert.equal(invalid.statusCode, 400, 'a rejected write applies nothing and is answered');
    await assert.rejects(
      call(sandbox, 'POST', CONTACTS_2026, { token, json: { properties: { email: 'w@example.com' } } }),
    );
    assert.equal(sandbox.contacts.all().length, 1);
  });

  void it('answers every covered call with a 5xx at errorRate 1, limited to the selected routes', async () => {
    sandbox.faults.set({ errorRate: 1, routes: ['contacts.search'] });
    const search = await call(sandbox, 'POST', `${CONTACTS_2026}/search`, { token, json: {} });
    assert.ok(search.statusCode >= 500 && search.statusCode <= 504, String(search.statusCode));
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 200);
    sandbox.faults.set({ routes: [] });
    assert.ok((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode >= 500);
    sandbox.faults.reset();
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 200);
  });

  void it('drops every write at dropAfterWriteRate 1', async () => {
    sandbox.faults.set({ dropAfterWriteRate: 1 });
    await assert.rejects(upsert('rate@example.com'));
    assert.ok(sandbox.contacts.byEmail('rate@example.com'));
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 200);
  });

  void it('adds latency to API calls', async () => {
    sandbox.faults.set({ latencyMs: 150 });
    const started = performance.now();
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 200);
    assert.ok(performance.now() - started >= 140);
  });
});
