/**
 * Every request the client makes, for both API versions, validated against HubSpot's OpenAPI documents;
 * the canned answers are validated too, so the client is shown to accept spec-shaped answers. (The same
 * validator checks the sandbox's answers in `client-sandbox.test.ts`.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHubSpotClient, staticTokenProvider, type ApiVersion } from '../../src/hubspot/index.js';
import {
  startLoopback,
  type Loopback,
  type LoopbackAnswer,
  type RecordedRequest,
} from '../hubspot/helpers/loopback.js';
import { validateExchange, type HttpExchange } from './helpers/exchange-validator.js';
import { formatProblem, loadSpecs, requireSpecDir, type Specs } from './helpers/openapi.js';

const at = '2026-03-10T20:00:00.000Z';
const contact = (id: string, email: string) => ({
  id,
  properties: { email, firstname: 'Ada', hs_object_id: id },
  createdAt: at,
  updatedAt: at,
  archived: false,
});
const definition = (id: string) => ({
  id,
  name: `Subscription ${id}`,
  description: 'Newsletters',
  isActive: true,
  isDefault: false,
  isInternal: false,
  createdAt: at,
  updatedAt: at,
});
const publicStatus = (email: string, subscriptionId: number, status: string) => ({
  subscriberIdString: email,
  channel: 'EMAIL',
  subscriptionId,
  status,
  source: 'API',
  timestamp: at,
  setStatusSuccessReason: 'REQUESTED_CHANGE_OCCURRED',
});
const action = (results: unknown[]) => ({ status: 'COMPLETE', results, startedAt: at, completedAt: at });

function cannedAnswer(req: RecordedRequest): LoopbackAnswer {
  const { method, path } = req;
  const email = 'ada@example.com';
  if (path.endsWith('/batch/upsert')) {
    const inputs = (JSON.parse(req.body) as { inputs: Array<{ id: string }> }).inputs;
    return {
      status: 200,
      body: action(inputs.map((i, n) => ({ ...contact(String(n + 1), i.id), new: n === 0 }))),
    };
  }
  if (path.endsWith('/contacts/search')) return { status: 200, body: { total: 1, results: [contact('1', email)] } };
  if (path.endsWith('/gdpr-delete')) return { status: 204 };
  if (/\/contacts\/[^/]+$/.test(path)) {
    if (method === 'DELETE') return { status: 204 };
    return { status: 200, body: contact('1', email) };
  }
  if (path.endsWith('/contacts')) return { status: 201, body: contact('1', email) };
  if (path.endsWith('/definitions')) {
    return path.includes('/v3/')
      ? { status: 200, body: { subscriptionDefinitions: [definition('101'), definition('102')] } }
      : { status: 200, body: action([definition('101'), definition('102')]) };
  }
  if (path.includes('/communication-preferences/2026-03/statuses/')) {
    const state = req.body ? (JSON.parse(req.body) as { statusState: string }).statusState : 'UNSUBSCRIBED';
    return { status: 200, body: action([publicStatus(email, 101, state)]) };
  }
  if (path.startsWith('/communication-preferences/v3/status/email/')) {
    return {
      status: 200,
      body: {
        recipient: email,
        subscriptionStatuses: [
          { id: '101', name: 'News', description: 'd', status: 'SUBSCRIBED', sourceOfStatus: 'SUBSCRIPTION_STATUS' },
        ],
      },
    };
  }
  if (path.startsWith('/communication-preferences/v3/')) {
    return {
      status: 200,
      body: {
        id: '101',
        name: 'News',
        description: 'd',
        status: 'NOT_SUBSCRIBED',
        sourceOfStatus: 'SUBSCRIPTION_STATUS',
      },
    };
  }
  if (path.endsWith('/token/introspect')) return { status: 200, body: { active: false } };
  // HubSpot answers a revoke with 200 and no body (the `revoke-empty-200` deviation).
  if (path.endsWith('/token/revoke')) return { status: 200 };
  if (path.endsWith('/token')) {
    return {
      status: 200,
      body: {
        access_token: 'new-access-token-abcdef',
        refresh_token: 'new-refresh-token-abcdef',
        expires_in: 1800,
        token_type: 'bearer',
        token_use: 'access_token',
        hub_id: 62515,
        scopes: ['oauth'],
      },
    };
  }
  return { status: 404, body: { status: 'error', message: `no canned answer for ${method} ${path}` } };
}

/** The loopback's recording in the sandbox's `Exchange` shape, so one validator serves both. */
function toExchange(req: RecordedRequest, answer: LoopbackAnswer): HttpExchange {
  assert.ok(typeof answer !== 'string', `${req.method} ${req.path} got no answer`);
  const query: Record<string, string> = {};
  for (const key of new Set(req.query.keys())) query[key] = req.query.getAll(key).join(',');
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) requestHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method,
    path: req.path,
    query,
    requestHeaders,
    requestBody: req.body,
    status: answer.status,
    responseHeaders: answer.body === undefined ? {} : { 'content-type': 'application/json' },
    responseBody: answer.body,
  };
}

void describe('requests and answers follow HubSpot OpenAPI specs', () => {
  let specs: Specs;
  let loopback: Loopback | undefined;
  const answers: Array<{ req: RecordedRequest; answer: LoopbackAnswer }> = [];
  before(async () => {
    // Throws, naming HUBSPOT_OPENAPI_DIR, when the documents are not there: the suite fails rather than skips.
    specs = loadSpecs(requireSpecDir());
    loopback = await startLoopback((req) => {
      const answer = cannedAnswer(req);
      answers.push({ req, answer });
      return answer;
    });
  });
  after(() => loopback?.close());

  for (const apiVersion of ['2026-03', 'v3'] as ApiVersion[]) {
    void it(`every operation, ${apiVersion}`, async () => {
      const server = loopback;
      assert.ok(server, 'the loopback server is running');
      const first = server.requests.length;
      const hs = createHubSpotClient({
        baseUrl: server.baseUrl,
        apiVersion,
        tokenProvider: staticTokenProvider('pat-na1-test-token'),
        oauth: { clientId: 'client-id', clientSecret: 'client-secret-value' },
      });
      const email = 'ada@example.com';
      const results = await hs.contacts.batchUpsertByEmail([
        { email, properties: { firstname: 'Ada' } },
        { email: 'bob+x@example.com', properties: {} },
      ]);
      assert.equal(results.length, 2);
      assert.ok(await hs.contacts.getByEmail(email));
      await hs.contacts.update({ email }, { firstname: 'Ada' });
      await hs.contacts.update({ id: '1' }, { lastname: 'Lovelace' });
      await hs.contacts.create({ email, firstname: 'Ada' });
      assert.equal((await hs.contacts.searchByEmail(email)).length, 1);
      await hs.contacts.archive('1');
      await hs.contacts.gdprDelete({ email });
      await hs.contacts.gdprDelete({ id: '1' });
      assert.equal((await hs.subscriptions.definitions()).length, 2);
      await hs.subscriptions.statusByEmail(email);
      await hs.subscriptions.unsubscribe({
        email,
        subscriptionId: '101',
        legalBasis: 'CONSENT_WITH_NOTICE',
        legalBasisExplanation: 'asked',
      });
      await hs.subscriptions.unsubscribeAll({ email });
      await hs.subscriptions.resubscribe({ email, subscriptionId: '101', legalBasis: 'LEGITIMATE_INTEREST_CLIENT' });
      await hs.oauth.exchangeCode({ code: 'auth-code-123', redirectUri: 'http://localhost/oauth/callback' });
      await hs.oauth.refresh({ refreshToken: 'refresh-token-123' });
      await hs.oauth.introspect({ token: 'some-token-123', tokenTypeHint: 'access_token' });
      await hs.oauth.revoke({ token: 'refresh-token-123', tokenTypeHint: 'refresh_token' });

      const problems: string[] = [];
      const exchanges = answers.splice(0);
      assert.equal(exchanges.length, server.requests.length - first, 'every request was answered');
      for (const { req, answer } of exchanges) {
        problems.push(...validateExchange(specs, toExchange(req, answer)).problems.map(formatProblem));
      }
      assert.deepEqual(problems, [], problems.join('\n'));
      const bearer = server.requests.slice(first).filter((r) => r.headers.authorization);
      assert.ok(bearer.every((r) => r.headers.authorization === 'Bearer pat-na1-test-token'));
      const oauthCalls = server.requests.slice(first).filter((r) => r.path.startsWith('/oauth/'));
      assert.equal(oauthCalls.length, 4);
      assert.ok(
        oauthCalls.every((r) => !r.headers.authorization && r.query.size === 0),
        'OAuth secrets only in bodies',
      );
    });
  }
});
