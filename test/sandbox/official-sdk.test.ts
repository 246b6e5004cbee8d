import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@hubspot/api-client';
import type { Sandbox } from '../../src/sandbox/index.js';
import { open } from './helpers.js';

void describe('the official @hubspot/api-client against the sandbox', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await open({ subscriptions: [{ id: 777, name: 'Newsletter' }] });
  });
  after(async () => {
    await sandbox.close();
  });

  void it('refreshes a token, writes, reads, searches and unsubscribes with typed results', async () => {
    const client = new Client({ basePath: sandbox.baseUrl });
    const tokens = await client.oauth.tokensApi.create(
      'refresh_token',
      undefined,
      undefined,
      sandbox.clientId,
      sandbox.clientSecret,
      sandbox.issueRefreshToken(),
    );
    assert.equal(tokens.expiresIn, 1800);
    assert.equal(tokens.tokenType, 'bearer');
    client.setAccessToken(tokens.accessToken);

    const created = await client.crm.contacts.basicApi.create({
      properties: { email: 'sdk@example.com', firstname: 'Sdk' },
      associations: [],
    });
    assert.match(created.id, /^\d+$/);
    assert.ok(created.createdAt instanceof Date);
    assert.equal(created.properties.email, 'sdk@example.com');

    const upserted = await client.crm.contacts.batchApi.upsert({
      inputs: [
        { id: 'sdk@example.com', idProperty: 'email', properties: { lastname: 'Kit' } },
        { id: 'other@example.com', idProperty: 'email', properties: { firstname: 'Other' } },
      ],
    });
    assert.equal(upserted.status, 'COMPLETE');
    const isNew = Object.fromEntries(upserted.results.map((result) => [String(result.properties.email), result._new]));
    assert.deepEqual(isNew, { 'sdk@example.com': false, 'other@example.com': true });

    const byEmail = await client.crm.contacts.basicApi.getById(
      'sdk@example.com',
      undefined,
      undefined,
      undefined,
      false,
      'email',
    );
    assert.equal(byEmail.id, created.id);
    assert.equal(byEmail.properties.lastname, 'Kit');

    const found = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ' as never, value: 'other@example.com' }] }],
      properties: ['email', 'firstname'],
      sorts: [],
      limit: 10,
      after: '0',
    });
    assert.equal(found.total, 1);
    assert.equal(found.results[0]?.properties.firstname, 'Other');

    const unsubscribed = await client.communicationPreferences.statusApi.unsubscribe({
      emailAddress: 'sdk@example.com',
      subscriptionId: '777',
    });
    assert.equal(unsubscribed.status, 'NOT_SUBSCRIBED');
    const status = await client.communicationPreferences.statusApi.getEmailStatus('sdk@example.com');
    assert.equal(status.recipient, 'sdk@example.com');
    assert.equal(status.subscriptionStatuses[0]?.status, 'NOT_SUBSCRIBED');
    assert.equal(sandbox.subscriptionStatus('sdk@example.com').statuses[777], 'UNSUBSCRIBED');
  });

  void it('surfaces HubSpot error bodies through the SDK exceptions', async () => {
    const client = new Client({ basePath: sandbox.baseUrl, accessToken: sandbox.staticToken });
    await assert.rejects(
      client.crm.contacts.basicApi.create({ properties: { email: 'sdk@example.com' }, associations: [] }),
      (error: { code?: number; body?: { category?: string; message?: string } }) => {
        assert.equal(error.code, 409);
        assert.equal(error.body?.category, 'CONFLICT');
        assert.match(String(error.body?.message), /^Contact already exists\. Existing ID: \d+$/);
        return true;
      },
    );
  });
});
