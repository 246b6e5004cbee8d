import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { accessTokenWithScope, call, CONTACTS_2026, CONTACTS_V3, oauthAccessToken, open, UUID } from './helpers.js';
import type { Tokens } from './wire-types.js';

void describe('sandbox authentication on API calls', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await open();
  });
  after(async () => {
    await sandbox.close();
  });

  void it('accepts the static token and sends the burst and daily limit headers', async () => {
    const answer = await call(sandbox, 'GET', CONTACTS_V3, { token: sandbox.staticToken });
    assert.equal(answer.statusCode, 200);
    assert.match(String(answer.headers['x-hubspot-correlation-id']), UUID);
    assert.equal(answer.headers['x-hubspot-ratelimit-max'], '110');
    assert.equal(answer.headers['x-hubspot-ratelimit-interval-milliseconds'], '10000');
    assert.equal(answer.headers['x-hubspot-ratelimit-daily'], '250000');
    assert.ok(Number(answer.headers['x-hubspot-ratelimit-daily-remaining']) < 250000);
  });

  void it('accepts OAuth access tokens without daily headers', async () => {
    const answer = await call(sandbox, 'GET', CONTACTS_2026, { token: await oauthAccessToken(sandbox) });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['x-hubspot-ratelimit-max'], '110');
    assert.equal(answer.headers['x-hubspot-ratelimit-daily'], undefined);
  });

  void it('answers 401 INVALID_AUTHENTICATION for unknown and missing tokens, and counts them', async () => {
    const before = sandbox.counters().unknownTokenUses;
    for (const token of ['not-a-token', undefined]) {
      const answer = await call(sandbox, 'GET', CONTACTS_2026, token ? { token } : {});
      assert.equal(answer.statusCode, 401);
      assert.equal(answer.body.status, 'error');
      assert.equal(answer.body.category, 'INVALID_AUTHENTICATION');
      assert.match(answer.body.message, /^Authentication credentials not found\./);
      assert.match(answer.body.correlationId, UUID);
      assert.equal(answer.headers['x-hubspot-auth-failure'], '401 Unauthorized');
    }
    assert.equal(sandbox.counters().unknownTokenUses, before + 2);
  });

  void it('answers 401 EXPIRED_AUTHENTICATION once access tokens are expired, and counts the uses', async () => {
    const token = await oauthAccessToken(sandbox);
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 200);
    const before = sandbox.counters().expiredTokenUses;
    sandbox.expireAllAccessTokens();
    const answer = await call(sandbox, 'GET', CONTACTS_2026, { token });
    assert.equal(answer.statusCode, 401);
    assert.equal(answer.body.category, 'EXPIRED_AUTHENTICATION');
    assert.match(answer.body.message, /^The OAuth token used to make this call expired \d+ second\(s\) ago\.$/);
    const expireTime = answer.body.context?.['expire time'] ?? [];
    assert.equal(expireTime.length, 1);
    assert.ok(!Number.isNaN(Date.parse(String(expireTime[0]))));
    assert.equal(sandbox.counters().expiredTokenUses, before + 1);

    const fresh = await oauthAccessToken(sandbox);
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token: fresh })).statusCode, 200);
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token: sandbox.staticToken })).statusCode, 200);
  });

  void it('answers 403 MISSING_SCOPES when the install did not grant the scope', async () => {
    const token = await accessTokenWithScope(sandbox, 'crm.objects.contacts.read');
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token })).statusCode, 200);
    const write = await call(sandbox, 'POST', CONTACTS_2026, { token, json: { properties: { email: 'a@b.co' } } });
    assert.equal(write.statusCode, 403);
    assert.equal(write.body.category, 'MISSING_SCOPES');
    assert.deepEqual(write.body.errors?.[0]?.context?.requiredScopes, ['crm.objects.contacts.write']);
    assert.equal(sandbox.contacts.all().length, 0);
  });
});

void describe('sandbox with a zero access-token lifetime', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await open({ accessTokenTtlSeconds: 0 });
  });
  after(async () => {
    await sandbox.close();
  });

  void it('issues tokens that are already expired, with expires_in 0', async () => {
    const grant = await call<Tokens>(sandbox, 'POST', '/oauth/2026-03/token', {
      form: {
        grant_type: 'refresh_token',
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
        refresh_token: sandbox.issueRefreshToken(),
      },
    });
    assert.equal(grant.body.expires_in, 0);
    const answer = await call(sandbox, 'GET', CONTACTS_2026, { token: grant.body.access_token });
    assert.equal(answer.statusCode, 401);
    assert.equal(answer.body.category, 'EXPIRED_AUTHENTICATION');
    assert.equal(sandbox.counters().expiredTokenUses, 1);
  });
});
