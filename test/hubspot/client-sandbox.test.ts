/**
 * The client over real HTTP against the local HubSpot sandbox: every operation, every answer class, and
 * that no secret ever reaches an error.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  createHubSpotClient,
  HubSpotError,
  staticTokenProvider,
  type ApiVersion,
  type HubSpotClient,
  type HubSpotClientOptions,
} from '../../src/hubspot/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const REDIRECT_URI = 'http://localhost:3000/oauth/callback';

void describe('HubSpot client over HTTP (sandbox)', () => {
  let sandbox: Sandbox;
  /** Every error any test saw, checked for secrets at the end. */
  const seen: HubSpotError[] = [];
  const secrets = new Set<string>();

  before(async () => {
    sandbox = await startSandbox({ port: 0 });
    secrets.add(sandbox.staticToken).add(sandbox.clientSecret);
  });
  afterEach(() => {
    sandbox.reset();
    sandbox.faults.reset();
  });
  after(async () => {
    await sandbox.close();
  });

  const client = (options: HubSpotClientOptions = {}): HubSpotClient =>
    createHubSpotClient({
      baseUrl: sandbox.baseUrl,
      tokenProvider: staticTokenProvider(sandbox.staticToken),
      oauth: { clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
      timeoutMs: 5000,
      ...options,
    });

  async function expectError(promise: Promise<unknown>, type: string): Promise<HubSpotError> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof HubSpotError, `expected a HubSpotError, got ${inspect(err)}`);
      seen.push(err);
      assert.equal(err.type, type, err.message);
      return err;
    }
    assert.fail(`expected ${type}, but the call succeeded`);
  }

  void describe('contacts', () => {
    void it('batch upsert creates, then updates the same contacts (no duplicates)', async () => {
      const hs = client();
      const first = await hs.contacts.batchUpsertByEmail([
        { email: 'ada@example.com', properties: { firstname: 'Ada' } },
        { email: 'Bob@Example.com', properties: { firstname: 'Bob' } },
      ]);
      assert.deepEqual(
        first.map((r) => r.ok && r.isNew),
        [true, true],
      );
      const second = await hs.contacts.batchUpsertByEmail([
        { email: 'bob@example.com', properties: { lastname: 'Builder' } },
        { email: 'ada@example.com', properties: { lastname: 'Lovelace' } },
      ]);
      assert.deepEqual(
        second.map((r) => r.ok && !r.isNew),
        [true, true],
      );
      const [ada0, ada1] = [first[0], second[1]];
      assert.ok(ada0?.ok && ada1?.ok);
      assert.equal(ada1.id, ada0.id, 'results come back in input order');
      assert.equal(sandbox.contacts.all().length, 2);
      assert.equal(sandbox.contacts.byEmail('ada@example.com')?.properties.lastname, 'Lovelace');
    });

    void it('batch upsert 207: each input gets its own result or error', async () => {
      const results = await client().contacts.batchUpsertByEmail([
        { email: 'ok1@example.com', properties: { firstname: 'One' } },
        { email: 'bad@example.com', properties: { favorite_color: 'blue' } },
        { email: 'ok2@example.com', properties: { firstname: 'Two' } },
      ]);
      assert.deepEqual(
        results.map((r) => r.ok),
        [true, false, true],
      );
      const bad = results[1];
      assert.ok(bad && !bad.ok);
      seen.push(bad.error);
      assert.equal(bad.email, 'bad@example.com');
      assert.equal(bad.error.type, 'HubSpotValidation');
      assert.equal(bad.error.retryable, false);
      assert.match(bad.error.message, /favorite_color/);
    });

    void it('batch upsert rejects 0 or more than 100 inputs before calling HubSpot', async () => {
      const hs = client();
      await expectError(hs.contacts.batchUpsertByEmail([]), 'InvalidInput');
      const many = Array.from({ length: 101 }, (_, i) => ({ email: `u${i}@example.com`, properties: {} }));
      await expectError(hs.contacts.batchUpsertByEmail(many), 'InvalidInput');
      assert.equal(sandbox.counters().requestsByRoute['contacts.batchUpsert'] ?? 0, 0);
    });

    void it('get by email returns the contact, or null when there is none', async () => {
      const hs = client();
      await hs.contacts.batchUpsertByEmail([{ email: 'ada@example.com', properties: { firstname: 'Ada' } }]);
      const found = await hs.contacts.getByEmail('ada@example.com');
      assert.equal(found?.properties.firstname, 'Ada');
      assert.equal(await hs.contacts.getByEmail('nobody@example.com'), null);
    });

    void it('update by email and by id; 404 → HubSpotNotFound', async () => {
      const hs = client();
      const [created] = await hs.contacts.batchUpsertByEmail([{ email: 'ada@example.com', properties: {} }]);
      assert.ok(created?.ok);
      const byEmail = await hs.contacts.update({ email: 'ada@example.com' }, { firstname: 'Ada' });
      assert.equal(byEmail.id, created.id);
      const byId = await hs.contacts.update({ id: created.id }, { lastname: 'Lovelace' });
      assert.equal(byId.properties.lastname, 'Lovelace');
      const err = await expectError(
        hs.contacts.update({ email: 'ghost@example.com' }, { firstname: 'G' }),
        'HubSpotNotFound',
      );
      assert.equal(err.status, 404);
      assert.equal(err.retryable, false);
      assert.ok(err.correlationId);
    });

    void it('create adopts the Existing ID on 409 and updates that contact', async () => {
      const hs = client();
      const fresh = await hs.contacts.create({ email: 'new@example.com', firstname: 'New' });
      assert.equal(fresh.adopted, false);
      const [existing] = await hs.contacts.batchUpsertByEmail([{ email: 'ada@example.com', properties: {} }]);
      assert.ok(existing?.ok);
      const adopted = await hs.contacts.create({ email: 'ada@example.com', firstname: 'Ada' });
      assert.equal(adopted.adopted, true);
      assert.equal(adopted.contact.id, existing.id);
      assert.equal(sandbox.contacts.byEmail('ada@example.com')?.properties.firstname, 'Ada');
      assert.equal(sandbox.contacts.all().length, 2);
    });

    void it('search by email', async () => {
      const hs = client();
      await hs.contacts.batchUpsertByEmail([{ email: 'ada@example.com', properties: { firstname: 'Ada' } }]);
      const found = await hs.contacts.searchByEmail('ada@example.com');
      assert.equal(found.length, 1);
      assert.equal(found[0]?.properties.email, 'ada@example.com');
      assert.deepEqual(await hs.contacts.searchByEmail('nobody@example.com'), []);
    });

    void it('archive and GDPR delete', async () => {
      const hs = client();
      const [a, b] = await hs.contacts.batchUpsertByEmail([
        { email: 'ada@example.com', properties: {} },
        { email: 'bob@example.com', properties: {} },
      ]);
      assert.ok(a?.ok && b?.ok);
      await hs.contacts.archive(a.id);
      assert.equal(await hs.contacts.getByEmail('ada@example.com'), null);
      await hs.contacts.gdprDelete({ email: 'bob@example.com' });
      assert.equal(sandbox.contacts.byEmail('bob@example.com'), undefined);
      assert.ok(sandbox.deletedEmails().includes('bob@example.com'));
    });
  });

  void describe('communication preferences', () => {
    void it('2026-03: definitions, status, unsubscribe (idempotent), unsubscribe all, resubscribe', async () => {
      const hs = client({ apiVersion: '2026-03' });
      const email = 'ada@example.com';
      const defs = await hs.subscriptions.definitions();
      assert.ok(defs.length >= 2);
      const [first] = defs;
      assert.ok(first);
      const status = await hs.subscriptions.statusByEmail(email);
      assert.equal(status.statuses.length, defs.length);

      assert.deepEqual(
        await hs.subscriptions.unsubscribe({
          email,
          subscriptionId: first.id,
          legalBasis: 'CONSENT_WITH_NOTICE',
          legalBasisExplanation: 'asked',
        }),
        {
          subscriptionId: first.id,
          changed: true,
        },
      );
      assert.deepEqual(await hs.subscriptions.unsubscribe({ email, subscriptionId: first.id }), {
        subscriptionId: first.id,
        changed: false,
      });
      assert.equal((await hs.subscriptions.unsubscribeAll({ email })).changed, true);
      assert.equal((await hs.subscriptions.unsubscribeAll({ email })).changed, false);
      assert.equal(sandbox.subscriptionStatus(email).unsubscribedFromAll, true);

      assert.deepEqual(await hs.subscriptions.resubscribe({ email, subscriptionId: first.id }), {
        subscriptionId: first.id,
        changed: true,
      });
      assert.equal(sandbox.subscriptionStatus(email).statuses[Number(first.id)], 'SUBSCRIBED');
    });

    void it('v3: already-unsubscribed is success, unsubscribe-all by definitions, resubscribe refused honestly', async () => {
      const hs = client({ apiVersion: 'v3' });
      const email = 'ada@example.com';
      const defs = await hs.subscriptions.definitions();
      const [first] = defs;
      assert.ok(first);
      assert.equal((await hs.subscriptions.unsubscribe({ email, subscriptionId: first.id })).changed, true);
      assert.equal((await hs.subscriptions.unsubscribe({ email, subscriptionId: first.id })).changed, false);
      const all = await hs.subscriptions.unsubscribeAll({ email });
      assert.equal(all.changed, true);
      assert.deepEqual(
        all.subscriptionIds,
        defs.map((d) => d.id),
      );
      const statuses = await hs.subscriptions.statusByEmail(email);
      assert.ok(statuses.statuses.every((s) => s.status === 'UNSUBSCRIBED'));
      assert.equal((await hs.subscriptions.unsubscribeAll({ email })).changed, false);

      const err = await expectError(
        hs.subscriptions.resubscribe({ email, subscriptionId: first.id }),
        'HubSpotRejected',
      );
      assert.equal(err.retryable, false);
      assert.equal(err.details?.reason, 'V3_CANNOT_RESUBSCRIBE');
      assert.match(err.message, /HUBSPOT_API_VERSION=2026-03/);
    });
  });

  for (const apiVersion of ['2026-03', 'v3'] as ApiVersion[]) {
    void it(`OAuth ${apiVersion}: exchange, use, refresh, introspect, revoke, dead refresh token`, async () => {
      const hs = client({ apiVersion });
      const code = sandbox.issueAuthorizationCode(REDIRECT_URI);
      secrets.add(code);
      const tokens = await hs.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI });
      secrets.add(tokens.accessToken).add(tokens.refreshToken);
      assert.equal(tokens.expiresIn, 1800);
      assert.equal(tokens.hubId, sandbox.portalId);

      const asApp = client({ apiVersion, tokenProvider: staticTokenProvider(tokens.accessToken), authMode: 'oauth' });
      assert.equal(await asApp.contacts.getByEmail('nobody@example.com'), null);

      const refreshed = await hs.oauth.refresh({ refreshToken: tokens.refreshToken });
      secrets.add(refreshed.accessToken).add(refreshed.refreshToken);
      assert.notEqual(refreshed.accessToken, tokens.accessToken);

      const info = await hs.oauth.introspect({ token: refreshed.accessToken, tokenTypeHint: 'access_token' });
      assert.ok(info.active);
      assert.equal(info.tokenUse, 'access_token');
      assert.equal(info.hubId, sandbox.portalId);
      assert.equal(JSON.stringify(info).includes(refreshed.accessToken), false, 'the echoed token is dropped');
      assert.deepEqual(await hs.oauth.introspect({ token: 'not-a-real-token' }), { active: false });

      await hs.oauth.revoke({ token: refreshed.refreshToken, tokenTypeHint: 'refresh_token' });
      const dead = await expectError(
        hs.oauth.refresh({ refreshToken: refreshed.refreshToken }),
        'HubSpotBadRefreshToken',
      );
      assert.equal(dead.retryable, false);
      await expectError(hs.oauth.refresh({ refreshToken: 'never-issued-refresh-token' }), 'HubSpotBadRefreshToken');
      await expectError(
        hs.oauth.exchangeCode({ code: 'bogus-code-value', redirectUri: REDIRECT_URI }),
        'HubSpotRejected',
      );
    });
  }

  void it('401 expired token → HubSpotTokenExpired (retryable); unknown token → HubSpotAuth', async () => {
    const hs = client();
    const refreshToken = sandbox.issueRefreshToken();
    secrets.add(refreshToken);
    const { accessToken } = await hs.oauth.refresh({ refreshToken });
    secrets.add(accessToken);
    sandbox.expireAllAccessTokens();
    const expired = await expectError(
      client({ tokenProvider: staticTokenProvider(accessToken) }).contacts.getByEmail('a@example.com'),
      'HubSpotTokenExpired',
    );
    assert.equal(expired.retryable, true);
    const unknown = await expectError(
      client({ tokenProvider: staticTokenProvider('pat-na1-unknown-token-000') }).contacts.getByEmail('a@example.com'),
      'HubSpotAuth',
    );
    assert.equal(unknown.retryable, false);
    assert.equal(unknown.status, 401);
  });

  void it('429 → HubSpotRateLimited with retryAfterMs from Retry-After, else the rest of the window', async () => {
    const hs = client();
    sandbox.faults.failNext({ route: 'contacts.get', status: 429, headers: { 'retry-after': '2' } });
    const withHeader = await expectError(hs.contacts.getByEmail('a@example.com'), 'HubSpotRateLimited');
    assert.equal(withHeader.retryable, true);
    assert.equal(withHeader.retryAfterMs, 2000);
    assert.equal(withHeader.details?.policyName, 'TEN_SECONDLY_ROLLING');
    assert.ok(hs.budget.windowRemainingMs('api') > 0);

    sandbox.faults.failNext({ route: 'contacts.get', status: 429 });
    // A fresh client: the first one now holds its calls for the 2 s HubSpot asked for.
    const windowed = await expectError(client().contacts.getByEmail('a@example.com'), 'HubSpotRateLimited');
    assert.ok(windowed.retryAfterMs !== undefined && windowed.retryAfterMs > 0 && windowed.retryAfterMs <= 10_000);
  });

  void it('5xx and 477 → HubSpotTransient', async () => {
    const hs = client();
    sandbox.faults.failNext({ route: 'contacts.batchUpsert', status: 503 });
    const err = await expectError(
      hs.contacts.batchUpsertByEmail([{ email: 'a@example.com', properties: {} }]),
      'HubSpotTransient',
    );
    assert.equal(err.status, 503);
    assert.equal(err.retryable, true);
    sandbox.faults.failNext({ route: 'contacts.get', status: 477, headers: { 'retry-after': '60' } });
    const migrating = await expectError(hs.contacts.getByEmail('a@example.com'), 'HubSpotTransient');
    assert.equal(migrating.retryAfterMs, 60_000);
  });

  void it('a request slower than the timeout → HubSpotTransient', async () => {
    sandbox.faults.set({ latencyMs: 400 });
    const err = await expectError(client({ timeoutMs: 100 }).contacts.getByEmail('a@example.com'), 'HubSpotTransient');
    assert.match(err.message, /timed out/);
  });

  void it('connection dropped after the write → HubSpotTransient; the retry upserts without a duplicate', async () => {
    const hs = client();
    sandbox.faults.dropNext({ route: 'contacts.batchUpsert' });
    const input = [{ email: 'ada@example.com', properties: { firstname: 'Ada' } }];
    const err = await expectError(hs.contacts.batchUpsertByEmail(input), 'HubSpotTransient');
    assert.equal(err.retryable, true);
    assert.ok(sandbox.contacts.byEmail('ada@example.com'), 'the write was applied');
    const [retry] = await hs.contacts.batchUpsertByEmail(input);
    assert.ok(retry?.ok);
    assert.equal(retry.isNew, false);
    assert.equal(sandbox.contacts.all().length, 1);
  });

  void it('a 2xx body that does not match the schema → HubSpotBadResponse with the zod issue', async () => {
    sandbox.faults.failNext({ route: 'contacts.get', status: 200, body: { id: 42, properties: 'nope' } });
    const err = await expectError(client().contacts.getByEmail('a@example.com'), 'HubSpotBadResponse');
    assert.equal(err.retryable, false);
    assert.match(err.message, /id: Invalid input: expected string, received number/);
    assert.match(err.message, /properties/);
  });

  void it('under sustained load the budget waits instead of meeting 429s', async () => {
    const limited = await startSandbox({ port: 0, rateLimit: { max: 4, intervalMs: 500 } });
    try {
      const token = staticTokenProvider(limited.staticToken);
      secrets.add(limited.staticToken);
      // A budget a little more conservative than the server, as for a real portal.
      const careful = createHubSpotClient({
        baseUrl: limited.baseUrl,
        tokenProvider: token,
        rateLimit: { max: 4, intervalMs: 600 },
      });
      const started = Date.now();
      await Promise.all(Array.from({ length: 10 }, (_, i) => careful.contacts.getByEmail(`u${i}@example.com`)));
      assert.equal(limited.counters().rateLimited, 0);
      assert.ok(Date.now() - started >= 1000, 'it waited for the window');

      limited.reset();
      const careless = createHubSpotClient({ baseUrl: limited.baseUrl, tokenProvider: token });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => careless.contacts.getByEmail(`v${i}@example.com`)),
      );
      const limitedErrors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as HubSpotError] : []));
      seen.push(...limitedErrors);
      assert.ok(limitedErrors.length > 0);
      for (const err of limitedErrors) {
        assert.equal(err.type, 'HubSpotRateLimited');
        assert.ok(
          err.retryAfterMs !== undefined && err.retryAfterMs > 0 && err.retryAfterMs <= 500,
          String(err.retryAfterMs),
        );
      }
      // The headers taught the careless client's budget the real limit.
      assert.equal(careless.budget.state('api').max, 4);
      assert.equal(careless.budget.state('api').intervalMs, 10_000, 'a shorter server window never loosens it');
    } finally {
      await limited.close();
    }
  });

  void it('no error message, JSON or inspection contains a token or secret', () => {
    assert.ok(seen.length >= 15, `saw ${seen.length} errors`);
    for (const err of seen) {
      const renderings = [
        err.message,
        JSON.stringify(err),
        JSON.stringify({ ...err }),
        inspect(err, { depth: 5 }),
        String(err.stack),
      ];
      for (const secret of secrets) {
        for (const text of renderings) assert.equal(text.includes(secret), false, `${err.type} leaks a secret`);
      }
    }
  });
});
