import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { accessTokenWithScope, call, oauthAccessToken, open, UUID } from './helpers.js';

interface AccountDetails {
  portalId: number;
  accountType: string;
  timeZone: string;
  companyCurrency: string;
  additionalCurrencies: string[];
  uiDomain: string;
  dataHostingLocation: string;
  utcOffset: string;
  utcOffsetMilliseconds: number;
}

const PATHS = ['/account-info/2026-03/details', '/account-info/v3/details'];

void describe('sandbox account details', () => {
  let sandbox: Sandbox;
  before(async () => {
    // Not the default portal id, so an answer can only be right if it comes from the option.
    sandbox = await open({ portalId: 7_654_321 });
  });
  after(async () => {
    await sandbox.close();
  });

  void it('answers the portal id and account settings to the static token, on both versions', async () => {
    for (const path of PATHS) {
      const answer = await call<AccountDetails>(sandbox, 'GET', path, { token: sandbox.staticToken });
      assert.equal(answer.statusCode, 200, path);
      assert.deepEqual(answer.body, {
        portalId: 7_654_321,
        accountType: 'STANDARD',
        timeZone: 'UTC',
        companyCurrency: 'USD',
        additionalCurrencies: [],
        uiDomain: 'app.hubspot.com',
        dataHostingLocation: 'na1',
        utcOffset: '+00:00',
        utcOffsetMilliseconds: 0,
      });
      assert.equal(answer.headers['x-hubspot-ratelimit-max'], '110', 'it counts against the burst limit');
    }
    assert.equal(sandbox.counters().requestsByRoute['accountInfo.details'], 2);
  });

  void it('answers an OAuth access token too', async () => {
    const answer = await call<AccountDetails>(sandbox, 'GET', PATHS[0] ?? '', {
      token: await oauthAccessToken(sandbox),
    });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.body.portalId, 7_654_321);
  });

  void it("answers HubSpot's 401 body to an unknown or missing token", async () => {
    const before = sandbox.counters().unknownTokenUses;
    for (const token of ['pat-na1-not-a-token', undefined]) {
      const answer = await call(sandbox, 'GET', PATHS[1] ?? '', token ? { token } : {});
      assert.equal(answer.statusCode, 401);
      assert.equal(answer.body.status, 'error');
      assert.equal(answer.body.category, 'INVALID_AUTHENTICATION');
      assert.match(answer.body.message, /^Authentication credentials not found\./);
      assert.match(answer.body.correlationId, UUID);
      assert.equal(answer.headers['x-hubspot-auth-failure'], '401 Unauthorized');
      assert.equal((answer.body as unknown as Partial<AccountDetails>).portalId, undefined);
    }
    assert.equal(sandbox.counters().unknownTokenUses, before + 2);
  });

  void it('answers 401 EXPIRED_AUTHENTICATION to an expired OAuth token', async () => {
    const token = await oauthAccessToken(sandbox);
    sandbox.expireAllAccessTokens();
    const answer = await call(sandbox, 'GET', PATHS[0] ?? '', { token });
    assert.equal(answer.statusCode, 401);
    assert.equal(answer.body.category, 'EXPIRED_AUTHENTICATION');
  });

  void it('answers 403 MISSING_SCOPES to an install without the oauth scope', async () => {
    const token = await accessTokenWithScope(sandbox, 'crm.objects.contacts.read');
    const answer = await call(sandbox, 'GET', PATHS[0] ?? '', { token });
    assert.equal(answer.statusCode, 403);
    assert.equal(answer.body.category, 'MISSING_SCOPES');
    assert.deepEqual(answer.body.errors?.[0]?.context?.requiredScopes, ['oauth']);
  });

  void it('takes injected failures by its route name, then answers again', async () => {
    sandbox.faults.failNext({ route: 'accountInfo.details', status: 503 });
    const failed = await call(sandbox, 'GET', PATHS[1] ?? '', { token: sandbox.staticToken });
    assert.equal(failed.statusCode, 503);
    assert.equal(failed.body.category, 'SERVICE_UNAVAILABLE');
    const next = await call<AccountDetails>(sandbox, 'GET', PATHS[1] ?? '', { token: sandbox.staticToken });
    assert.equal(next.statusCode, 200);
    assert.equal(next.body.portalId, 7_654_321);
  });
});
