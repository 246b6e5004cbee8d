import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('runs on embedded defaults with an empty environment: sandbox, dev server, port 3000', () => {
    const config = loadConfig({});
    assert.deepEqual(config.hubspot.credentials, { mode: 'sandbox' });
    assert.equal(config.hubspot.apiVersion, '2026-03');
    assert.equal(config.hubspot.baseUrl, 'https://api.hubapi.com');
    assert.equal(config.temporal.address, undefined);
    assert.equal(config.temporal.taskQueue, 'hubspot-lead-sync');
    assert.equal(config.port, 3000);
  });

  it('reads a static token and the legacy API version', () => {
    const config = loadConfig({
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-abc',
      HUBSPOT_API_VERSION: 'v3',
      HUBSPOT_PORTAL_ID: '123',
    });
    assert.deepEqual(config.hubspot.credentials, { mode: 'static', accessToken: 'pat-na1-abc' });
    assert.equal(config.hubspot.apiVersion, 'v3');
    assert.equal(config.hubspot.portalId, '123');
  });

  it('reads OAuth settings with scopes split on spaces or commas', () => {
    const config = loadConfig({
      HUBSPOT_CLIENT_ID: 'id',
      HUBSPOT_CLIENT_SECRET: 'secret',
      HUBSPOT_REDIRECT_URI: 'https://leads.example.com/oauth/callback',
      HUBSPOT_SCOPES: 'crm.objects.contacts.read, crm.objects.contacts.write oauth',
    });
    assert.equal(config.hubspot.credentials.mode, 'oauth');
    assert.ok(config.hubspot.credentials.mode === 'oauth');
    assert.deepEqual(config.hubspot.credentials.scopes, [
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'oauth',
    ]);
  });

  it('reports every bad variable at once, by name, without echoing any value', () => {
    const secret = 'super-secret-token-value';
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        HUBSPOT_API_VERSION: 'v9',
        HUBSPOT_BASE_URL: 'not a url',
        LEADSYNC_API_KEY: 'short',
        HUBSPOT_ACCESS_TOKEN: secret,
        HUBSPOT_CLIENT_ID: secret,
        LOG_LEVEL: 'loud',
      });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ConfigError);
    const names = error.problems.map((p) => p.split(':')[0]);
    for (const name of ['PORT', 'HUBSPOT_API_VERSION', 'HUBSPOT_BASE_URL', 'LEADSYNC_API_KEY', 'LOG_LEVEL']) {
      assert.ok(names.includes(name), `${name} missing from ${error.message}`);
    }
    assert.equal(error.message.includes(secret), false);
    assert.equal(error.message.includes('short'), false);
  });

  it('names the missing half of an OAuth pair and the conflict with a static token', () => {
    assert.throws(
      () => loadConfig({ HUBSPOT_CLIENT_ID: 'id', HUBSPOT_REDIRECT_URI: 'https://x.example/cb' }),
      /HUBSPOT_CLIENT_SECRET: required/,
    );
    assert.throws(
      () => loadConfig({ HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 's' }),
      /HUBSPOT_REDIRECT_URI: required/,
    );
    assert.throws(
      () => loadConfig({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 's' }),
      /not both/,
    );
  });
});
