import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseApiVersion, pathsFor } from '../../src/hubspot/paths.js';

void describe('paths', () => {
  void it('2026-03 (default) uses date-based paths for contacts, comm prefs and OAuth', () => {
    const p = pathsFor(parseApiVersion(undefined));
    assert.equal(p.version, '2026-03');
    assert.equal(p.contacts.collection, '/crm/objects/2026-03/contacts');
    assert.equal(p.contacts.batchUpsert, '/crm/objects/2026-03/contacts/batch/upsert');
    assert.equal(p.contacts.search, '/crm/objects/2026-03/contacts/search');
    assert.equal(p.contacts.gdprDelete, '/crm/objects/2026-03/contacts/gdpr-delete');
    assert.equal(p.contacts.one('123'), '/crm/objects/2026-03/contacts/123');
    assert.equal(p.commPrefs.version, '2026-03');
    if (p.commPrefs.version !== '2026-03') return;
    assert.equal(p.commPrefs.definitions, '/communication-preferences/2026-03/definitions');
    assert.equal(p.commPrefs.statuses('a@b.co'), '/communication-preferences/2026-03/statuses/a%40b.co');
    assert.equal(
      p.commPrefs.unsubscribeAll('a@b.co'),
      '/communication-preferences/2026-03/statuses/a%40b.co/unsubscribe-all',
    );
    assert.deepEqual(p.oauth, {
      token: '/oauth/2026-03/token',
      introspect: '/oauth/2026-03/token/introspect',
      revoke: '/oauth/2026-03/token/revoke',
    });
    assert.equal(p.account.details, '/account-info/2026-03/details');
  });

  void it('v3 uses the legacy paths', () => {
    const p = pathsFor(parseApiVersion('v3'));
    assert.equal(p.contacts.collection, '/crm/v3/objects/contacts');
    assert.equal(p.contacts.batchUpsert, '/crm/v3/objects/contacts/batch/upsert');
    assert.equal(p.commPrefs.version, 'v3');
    if (p.commPrefs.version !== 'v3') return;
    assert.equal(p.commPrefs.definitions, '/communication-preferences/v3/definitions');
    assert.equal(p.commPrefs.status('a@b.co'), '/communication-preferences/v3/status/email/a%40b.co');
    assert.equal(p.commPrefs.subscribe, '/communication-preferences/v3/subscribe');
    assert.equal(p.commPrefs.unsubscribe, '/communication-preferences/v3/unsubscribe');
    assert.equal(p.oauth.token, '/oauth/v3/token');
    assert.equal(p.oauth.introspect, '/oauth/v3/token/introspect');
    assert.equal(p.oauth.revoke, '/oauth/v3/token/revoke');
    assert.equal(p.account.details, '/account-info/v3/details');
  });

  void it('encodes emails so +, / and ? stay inside the path segment', () => {
    const p = pathsFor('2026-03');
    assert.equal(p.contacts.one('a+b/c?d@x.co'), '/crm/objects/2026-03/contacts/a%2Bb%2Fc%3Fd%40x.co');
  });

  void it('rejects an unknown HUBSPOT_API_VERSION instead of guessing', () => {
    assert.equal(parseApiVersion(' v3 '), 'v3');
    assert.equal(parseApiVersion(''), '2026-03');
    assert.throws(() => parseApiVersion('v4'), /Unknown HubSpot API version "v4"/);
  });
});
