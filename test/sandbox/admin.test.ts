import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox, SandboxCounters } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, open } from './helpers.js';
import type { Contact, SubscriptionView, Tokens } from './wire-types.js';

interface StateBody {
  portalId: number;
  contacts: Contact[];
  subscriptions: Record<string, SubscriptionView>;
  counters: SandboxCounters;
  faults: { settings: { errorRate: number }; failNext: unknown[] };
}

void describe('sandbox admin endpoints', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await open();
  });
  after(async () => {
    await sandbox.close();
  });

  const refresh = (refreshToken: string) =>
    call<Tokens>(sandbox, 'POST', '/oauth/2026-03/token', {
      form: {
        grant_type: 'refresh_token',
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
        refresh_token: refreshToken,
      },
    });

  void it('mints refresh tokens, expires access tokens and revokes refresh tokens over HTTP', async () => {
    const minted = await call<{ refresh_token: string }>(sandbox, 'POST', '/_sandbox/refresh-token');
    assert.equal(minted.statusCode, 200);
    const refreshToken = minted.body.refresh_token;
    const tokens = await refresh(refreshToken);
    assert.equal(tokens.statusCode, 200);
    const accessToken = tokens.body.access_token;

    const expired = await call<{ expired: number }>(sandbox, 'POST', '/_sandbox/expire-tokens');
    assert.equal(expired.body.expired, 1);
    const api = await call(sandbox, 'GET', CONTACTS_2026, { token: accessToken });
    assert.equal(api.body.category, 'EXPIRED_AUTHENTICATION');

    const revoked = await call<{ revoked: number }>(sandbox, 'POST', '/_sandbox/revoke-refresh-tokens');
    assert.ok(revoked.body.revoked >= 1);
    const dead = await call(sandbox, 'POST', '/oauth/2026-03/token', {
      form: {
        grant_type: 'refresh_token',
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
        refresh_token: refreshToken,
      },
    });
    assert.equal(dead.body.status, 'BAD_REFRESH_TOKEN');
  });

  void it('injects faults through POST /_sandbox/faults and validates the body', async () => {
    const set = await call<{ failNext: unknown[] }>(sandbox, 'POST', '/_sandbox/faults', {
      json: { latencyMs: 0, failNext: { route: 'contacts.list', status: 502 } },
    });
    assert.equal(set.statusCode, 200);
    assert.equal(set.body.failNext.length, 1);
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token: sandbox.staticToken })).statusCode, 502);
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token: sandbox.staticToken })).statusCode, 200);

    const bad = await call(sandbox, 'POST', '/_sandbox/faults', { json: { errorRate: 2 } });
    assert.equal(bad.statusCode, 400);
    const unknownKnob = await call(sandbox, 'POST', '/_sandbox/faults', { json: { explode: true } });
    assert.equal(unknownKnob.statusCode, 400);
  });

  void it('shows state and counters without access tokens, refresh tokens or the client secret', async () => {
    const refreshToken = sandbox.issueRefreshToken();
    const accessToken = (await refresh(refreshToken)).body.access_token;
    await call(sandbox, 'POST', CONTACTS_2026, {
      token: accessToken,
      json: { properties: { email: 'seen@example.com' } },
    });
    await call(sandbox, 'POST', '/communication-preferences/2026-03/statuses/seen@example.com/unsubscribe-all', {
      token: accessToken,
      searchParams: { channel: 'EMAIL' },
    });

    const state = await call<StateBody>(sandbox, 'GET', '/_sandbox/state');
    assert.equal(state.statusCode, 200);
    assert.equal(state.body.portalId, sandbox.portalId);
    assert.equal(state.body.contacts[0]?.properties.email, 'seen@example.com');
    assert.equal(state.body.subscriptions['seen@example.com']?.unsubscribedFromAll, true);
    assert.equal(state.body.counters.requestsByRoute['contacts.create'], 1);
    assert.equal(typeof state.body.faults.settings.errorRate, 'number');
    const text = JSON.stringify(state.body);
    for (const secret of [accessToken, refreshToken, sandbox.clientSecret, sandbox.staticToken]) {
      assert.equal(text.includes(secret), false);
    }

    const counters = await call<SandboxCounters>(sandbox, 'GET', '/_sandbox/counters');
    assert.deepEqual(counters.body, sandbox.counters());
    assert.equal(counters.body.requestsByRoute['admin.state'], undefined, 'admin calls are not counted');
  });

  void it('records exchanges with tokens and secrets redacted', async () => {
    const refreshToken = sandbox.issueRefreshToken();
    const accessToken = (await refresh(refreshToken)).body.access_token;
    await call(sandbox, 'GET', `/oauth/v1/access-tokens/${accessToken}`);
    const text = JSON.stringify(sandbox.exchanges);
    for (const secret of [accessToken, refreshToken, sandbox.clientSecret, sandbox.staticToken]) {
      assert.equal(text.includes(secret), false);
    }
    const grant = sandbox.exchanges.find((exchange) => exchange.route === 'oauth.token' && exchange.status === 200);
    assert.ok(grant);
    assert.equal(grant.path, '/oauth/2026-03/token');
    assert.deepEqual(Object.keys(grant.responseBody as object).sort(), [
      'access_token',
      'expires_in',
      'hub_id',
      'refresh_token',
      'scopes',
      'token_type',
      'token_use',
      'user_id',
    ]);
    assert.equal(sandbox.exchanges.at(-1)?.path, '/oauth/v1/access-tokens/redacted');
  });

  void it('resets state, counters, exchanges and faults but keeps credentials', async () => {
    sandbox.faults.set({ errorRate: 1 });
    const answer = await call(sandbox, 'POST', '/_sandbox/reset');
    assert.equal(answer.statusCode, 200);
    assert.equal(sandbox.contacts.all().length, 0);
    assert.equal(sandbox.exchanges.length, 0);
    assert.deepEqual(sandbox.counters().requestsByRoute, {});
    const list = await call(sandbox, 'GET', CONTACTS_2026, { token: sandbox.staticToken });
    assert.equal(list.statusCode, 200);
    assert.equal((await refresh(sandbox.issueRefreshToken())).statusCode, 200);
  });
});
