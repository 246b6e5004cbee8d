import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, open } from './helpers.js';
import type { Introspection, OAuthError, Tokens } from './wire-types.js';

const REDIRECT = 'http://127.0.0.1:9999/oauth/callback';

void describe('sandbox OAuth', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await open({ accessTokenTtlSeconds: 600 });
  });
  after(async () => {
    await sandbox.close();
  });

  const grant = <T>(path: string, form: Record<string, string>) =>
    call<T>(sandbox, 'POST', path, {
      form: { client_id: sandbox.clientId, client_secret: sandbox.clientSecret, ...form },
    });

  void it('exchanges an authorization code once, for tokens shaped like HubSpot AccessTokenResponse', async () => {
    const code = sandbox.issueAuthorizationCode(REDIRECT);
    const answer = await grant<Tokens>('/oauth/2026-03/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
    });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.body.token_type, 'bearer');
    assert.equal(answer.body.token_use, 'access_token');
    assert.equal(answer.body.expires_in, 600);
    assert.equal(answer.body.hub_id, sandbox.portalId);
    assert.equal(typeof answer.body.user_id, 'number');
    assert.ok(answer.body.scopes.includes('crm.objects.contacts.write'));
    assert.match(answer.body.refresh_token, /^na1-/);
    assert.ok(answer.body.access_token.length > 100);

    const api = await call(sandbox, 'GET', CONTACTS_2026, { token: answer.body.access_token });
    assert.equal(api.statusCode, 200);

    const reused = await grant<OAuthError>('/oauth/2026-03/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
    });
    assert.equal(reused.statusCode, 400);
    assert.equal(reused.body.status, 'BAD_AUTH_CODE');
    assert.equal(reused.body.error, 'invalid_grant');
  });

  void it('rejects a code presented with another redirect_uri', async () => {
    const code = sandbox.issueAuthorizationCode(REDIRECT);
    const answer = await grant<OAuthError>('/oauth/v3/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://127.0.0.1:9999/elsewhere',
    });
    assert.equal(answer.statusCode, 400);
    assert.equal(answer.body.status, 'BAD_REDIRECT_URI');
  });

  void it('refreshes on the 2026-03, v3 and v1 endpoints and hands back the same refresh token', async () => {
    const refreshToken = sandbox.issueRefreshToken();
    const before = sandbox.counters().refreshes;
    const tokens = new Set<string>();
    for (const path of ['/oauth/2026-03/token', '/oauth/v3/token', '/oauth/v1/token']) {
      const answer = await grant<Tokens>(path, { grant_type: 'refresh_token', refresh_token: refreshToken });
      assert.equal(answer.statusCode, 200, path);
      assert.equal(answer.body.refresh_token, refreshToken);
      tokens.add(answer.body.access_token);
    }
    assert.equal(tokens.size, 3, 'every refresh mints a new access token');
    assert.equal(sandbox.counters().refreshes, before + 3);
  });

  void it('answers BAD_REFRESH_TOKEN for revoked and unknown refresh tokens', async () => {
    const refreshToken = sandbox.issueRefreshToken();
    sandbox.revokeRefreshTokens();
    for (const token of [refreshToken, 'na1-never-issued']) {
      const answer = await grant<OAuthError>('/oauth/2026-03/token', {
        grant_type: 'refresh_token',
        refresh_token: token,
      });
      assert.equal(answer.statusCode, 400);
      assert.equal(answer.body.status, 'BAD_REFRESH_TOKEN');
      assert.equal(answer.body.message, 'missing or invalid refresh token');
      assert.equal(answer.body.error, 'invalid_grant');
      assert.equal(typeof answer.body.error_description, 'string');
    }
  });

  void it('rejects a wrong client secret and an unknown client id', async () => {
    const refreshToken = sandbox.issueRefreshToken();
    const wrongSecret = await call<OAuthError>(sandbox, 'POST', '/oauth/2026-03/token', {
      form: {
        grant_type: 'refresh_token',
        client_id: sandbox.clientId,
        client_secret: 'not-the-secret',
        refresh_token: refreshToken,
      },
    });
    assert.equal(wrongSecret.statusCode, 400);
    assert.equal(wrongSecret.body.status, 'BAD_CLIENT_SECRET');
    assert.equal(wrongSecret.body.error, 'invalid_client');

    const wrongClient = await call<OAuthError>(sandbox, 'POST', '/oauth/v1/token', {
      form: { grant_type: 'refresh_token', client_id: 'nobody', client_secret: 'x', refresh_token: refreshToken },
    });
    assert.equal(wrongClient.statusCode, 400);
    assert.equal(wrongClient.body.status, 'BAD_CLIENT_ID');
  });

  void it('rejects unsupported grant types', async () => {
    const answer = await grant<OAuthError>('/oauth/2026-03/token', { grant_type: 'password' });
    assert.equal(answer.statusCode, 400);
    assert.equal(answer.body.status, 'BAD_GRANT_TYPE');
  });

  void it('introspects access and refresh tokens, and says inactive for unknown ones', async () => {
    const refreshToken = sandbox.issueRefreshToken();
    const tokens = await grant<Tokens>('/oauth/2026-03/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    const access = await grant<Introspection>('/oauth/2026-03/token/introspect', { token: tokens.body.access_token });
    assert.equal(access.statusCode, 200);
    assert.equal(access.body.active, true);
    assert.equal(access.body.token_use, 'access_token');
    assert.equal(access.body.hub_id, sandbox.portalId);
    const expiresIn = access.body.expires_in ?? -1;
    assert.ok(expiresIn > 590 && expiresIn <= 600, String(expiresIn));
    assert.equal(access.body.signed_access_token?.hubId, sandbox.portalId);

    const refresh = await grant<Introspection>('/oauth/v3/token/introspect', { token: refreshToken });
    assert.equal(refresh.body.active, true);
    assert.equal(refresh.body.token_use, 'refresh_token');

    const unknown = await grant<Introspection>('/oauth/2026-03/token/introspect', { token: 'nope' });
    assert.equal(unknown.statusCode, 200);
    assert.deepEqual(unknown.body, { active: false });
  });

  void it('revokes a refresh token through token/revoke and the v1 DELETE', async () => {
    const first = sandbox.issueRefreshToken();
    const revoked = await grant('/oauth/2026-03/token/revoke', { token: first });
    assert.equal(revoked.statusCode, 200);
    const afterRevoke = await grant<OAuthError>('/oauth/2026-03/token', {
      grant_type: 'refresh_token',
      refresh_token: first,
    });
    assert.equal(afterRevoke.body.status, 'BAD_REFRESH_TOKEN');

    const second = sandbox.issueRefreshToken();
    const info = await call<Introspection>(sandbox, 'GET', `/oauth/v1/refresh-tokens/${second}`);
    assert.equal(info.statusCode, 200);
    assert.equal(info.body.client_id, sandbox.clientId);
    assert.equal(info.body.hub_id, sandbox.portalId);
    const deleted = await call(sandbox, 'DELETE', `/oauth/v1/refresh-tokens/${second}`);
    assert.equal(deleted.statusCode, 204);
    const gone = await call(sandbox, 'GET', `/oauth/v1/refresh-tokens/${second}`);
    assert.equal(gone.statusCode, 404);
  });

  void it('describes a live access token on the v1 metadata endpoint', async () => {
    const tokens = await grant<Tokens>('/oauth/v1/token', {
      grant_type: 'refresh_token',
      refresh_token: sandbox.issueRefreshToken(),
    });
    const info = await call<Introspection>(sandbox, 'GET', `/oauth/v1/access-tokens/${tokens.body.access_token}`);
    assert.equal(info.statusCode, 200);
    assert.equal(info.body.hub_id, sandbox.portalId);
    assert.ok(Array.isArray(info.body.scopes));
    sandbox.expireAllAccessTokens();
    const expired = await call(sandbox, 'GET', `/oauth/v1/access-tokens/${tokens.body.access_token}`);
    assert.equal(expired.statusCode, 404);
  });

  void it('counts every call to the token endpoints', async () => {
    const before = sandbox.counters().tokenEndpointCalls;
    await grant('/oauth/2026-03/token', { grant_type: 'refresh_token', refresh_token: 'bad' });
    await grant('/oauth/2026-03/token/introspect', { token: 'bad' });
    assert.equal(sandbox.counters().tokenEndpointCalls, before + 2);
  });
});

void describe('sandbox authorize page', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await open();
  });
  after(async () => {
    await sandbox.close();
  });

  void it('redirects back with a code and the state, and the code yields tokens with the requested scopes', async () => {
    const answer = await call(sandbox, 'GET', '/oauth/authorize', {
      searchParams: {
        client_id: sandbox.clientId,
        redirect_uri: REDIRECT,
        scope: 'oauth crm.objects.contacts.read',
        state: 'xyz 123',
      },
    });
    assert.equal(answer.statusCode, 302);
    const location = new URL(String(answer.headers.location));
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.equal(location.searchParams.get('state'), 'xyz 123');
    const code = location.searchParams.get('code');
    assert.ok(code);

    const tokens = await call<Tokens>(sandbox, 'POST', '/oauth/2026-03/token', {
      form: {
        grant_type: 'authorization_code',
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
        redirect_uri: REDIRECT,
        code,
      },
    });
    assert.equal(tokens.statusCode, 200);
    assert.deepEqual(tokens.body.scopes, ['oauth', 'crm.objects.contacts.read']);
  });

  void it('shows a 400 page for an unknown client id', async () => {
    const answer = await call<string>(sandbox, 'GET', '/oauth/authorize', {
      searchParams: { client_id: 'someone-else', redirect_uri: REDIRECT, scope: 'oauth' },
    });
    assert.equal(answer.statusCode, 400);
    assert.match(String(answer.headers['content-type']), /text\/html/);
    assert.match(answer.body, /Unknown client_id/);
  });
});
