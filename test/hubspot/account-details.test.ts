/**
 * `account.details()` over real HTTP against the sandbox: the portal id a static token learns, on both API
 * versions, through the client's token provider and rate budget, and its failures classified like any call.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  createHubSpotClient,
  HubSpotError,
  staticTokenProvider,
  type HubSpotClient,
  type HubSpotClientOptions,
} from '../../src/hubspot/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const PORTAL_ID = 4_815_162;

void describe('HubSpot client account details (sandbox)', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({ port: 0, portalId: PORTAL_ID, recordExchanges: true });
  });
  afterEach(() => {
    sandbox.reset();
  });
  after(async () => {
    await sandbox.close();
  });

  const client = (options: HubSpotClientOptions = {}): HubSpotClient =>
    createHubSpotClient({
      baseUrl: sandbox.baseUrl,
      tokenProvider: staticTokenProvider(sandbox.staticToken),
      timeoutMs: 5000,
      ...options,
    });

  async function expectError(promise: Promise<unknown>, type: string): Promise<HubSpotError> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof HubSpotError, `expected a HubSpotError, got ${inspect(err)}`);
      assert.equal(err.type, type, err.message);
      assert.ok(!inspect(err).includes(sandbox.staticToken), 'the token never reaches an error');
      assert.ok(!JSON.stringify(err).includes(sandbox.staticToken), 'the token never reaches an error');
      return err;
    }
    assert.fail(`expected ${type}, but the call succeeded`);
  }

  for (const [apiVersion, path] of [
    ['2026-03', '/account-info/2026-03/details'],
    ['v3', '/account-info/v3/details'],
  ] as const) {
    void it(`${apiVersion}: returns the sandbox's portal id as a string, from ${path}`, async () => {
      const details = await client({ apiVersion }).account.details();
      assert.equal(details.portalId, String(PORTAL_ID));
      assert.equal(details.timeZone, 'UTC');
      assert.equal(details.accountType, 'STANDARD');
      assert.equal(details.uiDomain, 'app.hubspot.com');
      assert.equal(details.dataHostingLocation, 'na1');
      assert.equal(details.companyCurrency, 'USD');
      assert.deepEqual(
        sandbox.exchanges.map((e) => `${e.method} ${e.path} ${e.route}`),
        [`GET ${path} accountInfo.details`],
      );
    });
  }

  void it('asks the token provider for the bearer token and spends one slot of the api budget', async () => {
    let asked = 0;
    const hs = client({
      tokenProvider: {
        getAccessToken: () => {
          asked += 1;
          return Promise.resolve(sandbox.staticToken);
        },
      },
    });
    await hs.account.details();
    assert.equal(asked, 1);
    assert.equal(hs.budget.state('api').used, 1);
    assert.equal(hs.budget.state('search').used, 0);
    assert.equal(sandbox.exchanges[0]?.status, 200, "the sandbox accepted the provider's token");
    assert.equal(sandbox.counters().unknownTokenUses, 0);
  });

  void it("learns the portal's real burst limit from the answer's headers", async () => {
    const tight = await startSandbox({ port: 0, rateLimit: { max: 7, intervalMs: 10_000 } });
    try {
      const hs = createHubSpotClient({
        baseUrl: tight.baseUrl,
        tokenProvider: staticTokenProvider(tight.staticToken),
        timeoutMs: 5000,
      });
      assert.equal(hs.budget.state('api').max, 100);
      await hs.account.details();
      assert.equal(hs.budget.state('api').max, 7);
    } finally {
      await tight.close();
    }
  });

  void it('5xx → HubSpotTransient, retryable', async () => {
    sandbox.faults.failNext({ route: 'accountInfo.details', status: 503 });
    const err = await expectError(client().account.details(), 'HubSpotTransient');
    assert.equal(err.status, 503);
    assert.equal(err.retryable, true);
  });

  void it('an unknown token → HubSpotAuth, not retryable', async () => {
    const err = await expectError(
      client({ tokenProvider: staticTokenProvider('pat-na1-unknown-token-000') }).account.details(),
      'HubSpotAuth',
    );
    assert.equal(err.status, 401);
    assert.equal(err.retryable, false);
  });

  void it('429 → HubSpotRateLimited', async () => {
    sandbox.faults.failNext({ route: 'accountInfo.details', status: 429 });
    const err = await expectError(client().account.details(), 'HubSpotRateLimited');
    assert.equal(err.retryable, true);
  });

  void it('a 200 without a portal id → HubSpotBadResponse, naming the field', async () => {
    sandbox.faults.failNext({ route: 'accountInfo.details', status: 200, body: { timeZone: 'UTC' } });
    const err = await expectError(client().account.details(), 'HubSpotBadResponse');
    assert.equal(err.retryable, false);
    assert.match(err.message, /portalId/);
  });
});
