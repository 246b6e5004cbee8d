/**
 * The validators can fail: deliberately wrong requests and answers are reported, with the operation, the JSON
 * pointer and ajv's message, and the allowed deviations accept only what they name.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { validateExchange, type HttpExchange } from './helpers/exchange-validator.js';
import { formatProblem, loadSpecs, requireSpecDir, type Specs } from './helpers/openapi.js';

const at = '2026-03-10T20:00:00.000Z';
const contact = (properties: Record<string, string | null>) => ({
  id: '1',
  properties,
  createdAt: at,
  updatedAt: at,
  archived: false,
});
const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

function exchange(init: Partial<HttpExchange> & Pick<HttpExchange, 'method' | 'path' | 'status'>): HttpExchange {
  return {
    query: {},
    requestHeaders: init.requestBody === undefined ? {} : json,
    requestBody: undefined,
    responseHeaders: init.responseBody === undefined ? {} : json,
    responseBody: undefined,
    ...init,
  };
}

const upsert = (requestBody: unknown, status: number, responseBody: unknown): HttpExchange =>
  exchange({ method: 'POST', path: '/crm/objects/2026-03/contacts/batch/upsert', requestBody, status, responseBody });
const goodUpsertAnswer = {
  status: 'COMPLETE',
  results: [{ ...contact({ email: 'ada@example.com' }), new: true }],
  startedAt: at,
  completedAt: at,
};

void describe('the fidelity validators report what does not follow the specs', () => {
  let specs: Specs;
  const problems = (e: HttpExchange): string[] => validateExchange(specs, e).problems.map(formatProblem);

  before(() => {
    specs = loadSpecs(requireSpecDir());
  });

  void it('accepts a well-formed exchange (the baseline for the cases below)', () => {
    const body = { inputs: [{ id: 'ada@example.com', idProperty: 'email', properties: { firstname: 'Ada' } }] };
    assert.deepEqual(problems(upsert(body, 200, goodUpsertAnswer)), []);
  });

  void it('reports a batch upsert input without `properties`', () => {
    const found = problems(upsert({ inputs: [{ id: 'ada@example.com', idProperty: 'email' }] }, 200, goodUpsertAnswer));
    assert.deepEqual(found, [
      'POST /crm/objects/2026-03/contacts/batch/upsert (crm-contacts-2026-03.json): request body at "/inputs/0": ' +
        "must have required property 'properties'",
    ]);
  });

  void it('reports an answer missing `results`', () => {
    const answer: Record<string, unknown> = { ...goodUpsertAnswer };
    delete answer.results;
    const body = { inputs: [{ id: 'ada@example.com', idProperty: 'email', properties: {} }] };
    const found = problems(upsert(body, 200, answer));
    assert.deepEqual(found, [
      'POST /crm/objects/2026-03/contacts/batch/upsert (crm-contacts-2026-03.json): response 200 body at "/": ' +
        "must have required property 'results'",
    ]);
  });

  void it('reports a wrongly typed value deep in a 207 answer', () => {
    const body = { inputs: [{ id: 'ada@example.com', idProperty: 'email', properties: {} }] };
    const answer = { ...goodUpsertAnswer, numErrors: 1, errors: [{ status: 'error', category: 'VALIDATION_ERROR' }] };
    const found = problems(upsert(body, 207, answer));
    assert.ok(found.length > 0, 'an error entry without message, context, links and errors is reported');
    assert.ok(
      found.every((p) => p.includes('response 207 body at "/errors/0"')),
      found.join('\n'),
    );
  });

  void it('reports routes no spec describes, and bodies where none belongs', () => {
    assert.deepEqual(problems(exchange({ method: 'GET', path: '/crm/objects/2026-03/deals', status: 200 })), [
      'GET /crm/objects/2026-03/deals: request at "/": no operation in the specs matches',
    ]);
    const archive = exchange({ method: 'DELETE', path: '/crm/v3/objects/contacts/1', status: 204, responseBody: {} });
    assert.deepEqual(problems(archive), [
      'DELETE /crm/v3/objects/contacts/{contactId} (crm-contacts-v3.json): response 204 body at "/": ' +
        'status 204 (204) declares no body',
    ]);
  });

  void it('reports missing required and undeclared query parameters, and bad values', () => {
    const path = '/communication-preferences/2026-03/statuses/ada%40example.com';
    const answer = { status: 'COMPLETE', results: [], startedAt: at, completedAt: at };
    assert.deepEqual(problems(exchange({ method: 'GET', path, status: 200, responseBody: answer })), [
      'GET /communication-preferences/2026-03/statuses/{subscriberIdString} (communication-preferences-2026-03.json): ' +
        'query at "/channel": required query parameter "channel" is missing',
    ]);
    const extra = exchange({
      method: 'GET',
      path,
      query: { channel: 'SMS', email: 'x' },
      status: 200,
      responseBody: answer,
    });
    const found = problems(extra);
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found[0] ?? '', /query at "\/channel": must be equal to one of the allowed values/);
    assert.match(found[1] ?? '', /query at "\/email": query parameter "email" is not declared/);
  });

  void it('reports a form body that breaks its schema', () => {
    const token = exchange({
      method: 'POST',
      path: '/oauth/2026-03/token',
      requestHeaders: form,
      requestBody: 'grant_type=password&client_id=a&client_secret=b',
      status: 400,
      responseBody: {
        status: 'error',
        message: 'bad',
        category: 'BAD_REQUEST',
        correlationId: '4916e839-e94d-4969-b0e8-2a17344f5cf6',
      },
    });
    const found = problems(token);
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(
      found[0] ?? '',
      /^POST \/oauth\/2026-03\/token \(oauth-2026-03\.json\): request body at "\/grant_type": must be equal to one of the allowed values$/,
    );
  });

  void it('deviations accept only what they name', () => {
    const path = '/crm/objects/2026-03/contacts/1';
    // A null property value is allowed; a null where the schema wants a string elsewhere is not.
    assert.deepEqual(
      problems(exchange({ method: 'GET', path, status: 200, responseBody: contact({ email: null }) })),
      [],
    );
    const nullId = { ...contact({ email: 'a@b.co' }), id: null };
    assert.deepEqual(problems(exchange({ method: 'GET', path, status: 200, responseBody: nullId })), [
      `GET /crm/objects/2026-03/contacts/{contactId} (crm-contacts-2026-03.json): response 200 body at "/id": must be string`,
    ]);
    // {active:false} is allowed from introspect; any other short answer is not.
    const introspect = (responseBody: unknown) =>
      exchange({
        method: 'POST',
        path: '/oauth/2026-03/token/introspect',
        requestHeaders: form,
        requestBody: { token: 'redacted', client_id: 'a', client_secret: 'redacted' },
        status: 200,
        responseBody,
      });
    assert.deepEqual(problems(introspect({ active: false })), []);
    assert.ok(problems(introspect({ active: true })).length > 0);
    // A 200 with a body from revoke is still checked against the spec.
    const revoke = exchange({
      method: 'POST',
      path: '/oauth/v3/token/revoke',
      requestHeaders: form,
      requestBody: 'token=x',
      status: 200,
      responseBody: { ok: true },
    });
    assert.ok(problems(revoke).length > 0);
    // A 429 may lack `category`, but not `message`'s type.
    const limited = {
      status: 'error',
      message: 42,
      errorType: 'RATE_LIMIT',
      correlationId: '4916e839-e94d-4969-b0e8-2a17344f5cf6',
    };
    assert.deepEqual(problems(exchange({ method: 'GET', path, status: 429, responseBody: limited })), [
      `GET /crm/objects/2026-03/contacts/{contactId} (crm-contacts-2026-03.json): response 429 body at "/message": must be string`,
    ]);
  });
});
