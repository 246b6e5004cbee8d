/**
 * Fidelity of the pair (client, sandbox) to HubSpot's OpenAPI documents: the client drives every operation it
 * has against the sandbox, for both API versions, and every recorded exchange (what the client sent, what the
 * sandbox answered and the client read) is validated against the matching operation in HubSpot's specs.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  createHubSpotClient,
  HubSpotError,
  staticTokenProvider,
  type ApiVersion,
  type HubSpotClient,
} from '../../src/hubspot/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { DEVIATIONS, validateExchange } from './helpers/exchange-validator.js';
import { formatProblem, loadSpecs, requireSpecDir, type Specs } from './helpers/openapi.js';

const REDIRECT_URI = 'http://localhost:3000/oauth/callback';

function errorType(type: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof HubSpotError, `expected a HubSpotError, got ${String(err)}`);
    assert.equal(err.type, type, err.message);
    return true;
  };
}

/** Every client operation, with the answer classes the client must read; returns nothing, asserts as it goes. */
async function driveEveryOperation(sandbox: Sandbox, apiVersion: ApiVersion): Promise<void> {
  const client = (): HubSpotClient =>
    createHubSpotClient({
      baseUrl: sandbox.baseUrl,
      apiVersion,
      tokenProvider: staticTokenProvider(sandbox.staticToken),
      oauth: { clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
      timeoutMs: 5000,
    });
  const hs = client();

  // Contacts.
  const created = await hs.contacts.batchUpsertByEmail([
    { email: 'ada@example.com', properties: { firstname: 'Ada' } },
    { email: 'bob+x@example.com', properties: { firstname: 'Bob', city: 'Leeds' } },
  ]);
  assert.deepEqual(
    created.map((r) => r.ok),
    [true, true],
  );
  const partial = await hs.contacts.batchUpsertByEmail([
    { email: 'carol@example.com', properties: { lastname: 'Shaw' } },
    { email: 'dan@no-dot', properties: {} },
  ]);
  assert.deepEqual(
    partial.map((r) => r.ok),
    [true, false],
    'a 207 partial failure',
  );
  const ada = await hs.contacts.getByEmail('ada@example.com');
  assert.ok(ada, 'ada is found by email');
  assert.equal(await hs.contacts.getByEmail('nobody@example.com'), null, '404 reads as null');
  await hs.contacts.update({ id: ada.id }, { lastname: 'Lovelace' });
  await hs.contacts.update({ email: 'ada@example.com' }, { jobtitle: 'Analyst' });
  await assert.rejects(hs.contacts.update({ id: '999999999' }, { city: 'X' }), errorType('HubSpotNotFound'));
  const erin = await hs.contacts.create({ email: 'erin@example.com', firstname: 'Erin' });
  assert.equal(erin.adopted, false);
  const adopted = await hs.contacts.create({ email: 'ada@example.com', company: 'Engines' });
  assert.equal(adopted.adopted, true, '409 adopts the existing contact');
  assert.equal(adopted.contact.id, ada.id);
  const found = await hs.contacts.searchByEmail('ada@example.com');
  assert.deepEqual(
    found.map((c) => c.id),
    [ada.id],
  );
  await hs.contacts.archive(erin.contact.id);
  await hs.contacts.gdprDelete({ email: 'bob+x@example.com' });
  const carol = partial[0];
  assert.ok(carol?.ok);
  await hs.contacts.gdprDelete({ id: carol.id });
  // A 429 from the search limiter (its own client: a 429 pauses that client's search budget).
  sandbox.faults.failNext({ route: 'contacts.search', status: 429 });
  await assert.rejects(client().contacts.searchByEmail('ada@example.com'), errorType('HubSpotRateLimited'));

  // Communication preferences.
  const definitions = await hs.subscriptions.definitions();
  assert.ok(definitions.length >= 2);
  const first = definitions[0];
  assert.ok(first);
  const statuses = await hs.subscriptions.statusByEmail('ada@example.com');
  assert.equal(statuses.email, 'ada@example.com');
  const unsubscribed = await hs.subscriptions.unsubscribe({
    email: 'ada@example.com',
    subscriptionId: first.id,
    legalBasis: 'CONSENT_WITH_NOTICE',
    legalBasisExplanation: 'Asked to stop on the phone',
  });
  assert.equal(unsubscribed.changed, true);
  const all = await hs.subscriptions.unsubscribeAll({ email: 'ada@example.com' });
  assert.ok(all.subscriptionIds.length >= 1);
  if (apiVersion === '2026-03') {
    const back = await hs.subscriptions.resubscribe({
      email: 'ada@example.com',
      subscriptionId: first.id,
      legalBasis: 'LEGITIMATE_INTEREST_CLIENT',
      legalBasisExplanation: 'Asked to be resubscribed',
    });
    assert.equal(back.changed, true);
  } else {
    // v3 subscribes an address that never opted out, and refuses (400) one that did.
    const fresh = await hs.subscriptions.resubscribe({ email: 'frank@example.com', subscriptionId: first.id });
    assert.equal(fresh.changed, true);
    await assert.rejects(
      hs.subscriptions.resubscribe({ email: 'ada@example.com', subscriptionId: first.id }),
      errorType('HubSpotRejected'),
    );
  }

  // Account details (no spec here: the client's schema checks the answer).
  assert.equal((await hs.account.details()).portalId, String(sandbox.portalId));

  // OAuth.
  const tokens = await hs.oauth.exchangeCode({
    code: sandbox.issueAuthorizationCode(REDIRECT_URI),
    redirectUri: REDIRECT_URI,
  });
  const refreshed = await hs.oauth.refresh({ refreshToken: tokens.refreshToken });
  const access = await hs.oauth.introspect({ token: refreshed.accessToken, tokenTypeHint: 'access_token' });
  assert.equal(access.active, true);
  const refresh = await hs.oauth.introspect({ token: refreshed.refreshToken, tokenTypeHint: 'refresh_token' });
  assert.equal(refresh.active, true);
  assert.deepEqual(await hs.oauth.introspect({ token: 'no-such-token-0000' }), { active: false });
  await hs.oauth.revoke({ token: refreshed.refreshToken, tokenTypeHint: 'refresh_token' });
  await assert.rejects(hs.oauth.refresh({ refreshToken: refreshed.refreshToken }), errorType('HubSpotBadRefreshToken'));
}

/** `METHOD template status` for every exchange each version must have produced (so no operation goes unchecked). */
function expectedExchanges(apiVersion: ApiVersion): string[] {
  const c = apiVersion === 'v3' ? '/crm/v3/objects/contacts' : '/crm/objects/2026-03/contacts';
  const crm = [
    `POST ${c}/batch/upsert 200`,
    `POST ${c}/batch/upsert 207`,
    `GET ${c}/{contactId} 200`,
    `GET ${c}/{contactId} 404`,
    `PATCH ${c}/{contactId} 200`,
    `PATCH ${c}/{contactId} 404`,
    `POST ${c} 201`,
    `POST ${c} 409`,
    `POST ${c}/search 200`,
    `POST ${c}/search 429`,
    `DELETE ${c}/{contactId} 204`,
    `POST ${c}/gdpr-delete 204`,
  ];
  const p = `/communication-preferences/${apiVersion}`;
  const prefs =
    apiVersion === 'v3'
      ? [
          `GET ${p}/definitions 200`,
          `GET ${p}/status/email/{emailAddress} 200`,
          `POST ${p}/unsubscribe 200`,
          `POST ${p}/subscribe 200`,
          `POST ${p}/subscribe 400`,
        ]
      : [
          `GET ${p}/definitions 200`,
          `GET ${p}/statuses/{subscriberIdString} 200`,
          `POST ${p}/statuses/{subscriberIdString} 200`,
          `POST ${p}/statuses/{subscriberIdString}/unsubscribe-all 200`,
        ];
  // /oauth/v3 is validated against the 2026-03 document (see the `oauth-v3-paths` deviation).
  const o = '/oauth/2026-03/token';
  const oauth = [`POST ${o} 200`, `POST ${o} 400`, `POST ${o}/introspect 200`, `POST ${o}/revoke 200`];
  return [...crm, ...prefs, ...oauth];
}

void describe('client ⇄ sandbox exchanges follow HubSpot OpenAPI specs', () => {
  let specs: Specs;
  const deviationsUsed = new Set<string>();

  before(() => {
    // Throws, naming HUBSPOT_OPENAPI_DIR, when the documents are not there: the suite fails rather than skips.
    specs = loadSpecs(requireSpecDir());
  });

  for (const apiVersion of ['2026-03', 'v3'] as const) {
    void it(`every operation and every answer it reads, ${apiVersion}`, async () => {
      const sandbox = await startSandbox({ port: 0, recordExchanges: true });
      try {
        await driveEveryOperation(sandbox, apiVersion);
        const exchanges = [...sandbox.exchanges];
        assert.ok(exchanges.length >= 20, `recorded ${exchanges.length} exchanges`);
        assert.deepEqual(
          exchanges.filter((e) => e.dropped).map((e) => `${e.method} ${e.path}`),
          [],
          'no dropped answers',
        );

        const problems: string[] = [];
        const seen = new Set<string>();
        for (const exchange of exchanges) {
          const verdict = validateExchange(specs, exchange);
          verdict.deviationsUsed.forEach((name) => deviationsUsed.add(name));
          if (verdict.operation) seen.add(`${exchange.method} ${verdict.operation.template} ${exchange.status}`);
          problems.push(...verdict.problems.map((p) => `${formatProblem(p)} [sandbox route ${exchange.route}]`));
        }
        assert.deepEqual(problems, [], `exchanges that do not follow the specs:\n${problems.join('\n')}`);
        const missing = expectedExchanges(apiVersion).filter((e) => !seen.has(e));
        assert.deepEqual(missing, [], `operations not exercised; seen:\n${[...seen].join('\n')}`);
      } finally {
        await sandbox.close();
      }
    });
  }

  void it('every deviation the sandbox reproduces is still needed', () => {
    const unused = DEVIATIONS.filter((d) => d.sandbox && !deviationsUsed.has(d.name)).map((d) => d.name);
    assert.deepEqual(unused, [], 'a deviation nothing needs any more should be removed from DEVIATIONS');
  });
});
