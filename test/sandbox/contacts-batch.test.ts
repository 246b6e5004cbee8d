import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, CONTACTS_V3, open, type Answer } from './helpers.js';
import type { Batch, Contact, Page } from './wire-types.js';

void describe('sandbox contact batches', () => {
  let sandbox: Sandbox;
  let token: string;
  before(async () => {
    sandbox = await open();
    token = sandbox.staticToken;
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  const upsert = (base: string, inputs: unknown[]) =>
    call<Batch>(sandbox, 'POST', `${base}/batch/upsert`, { token, json: { inputs } });

  void it('upserts by email: creates new contacts, updates existing ones, and says which is which', async () => {
    const created = await upsert(CONTACTS_2026, [
      { id: 'one@example.com', idProperty: 'email', properties: { firstname: 'One' } },
    ]);
    assert.equal(created.statusCode, 200);
    assert.equal(created.body.status, 'COMPLETE');
    assert.equal(created.body.results[0]?.new, true);
    assert.equal(created.body.results[0]?.properties.email, 'one@example.com');

    const mixed = await upsert(CONTACTS_V3, [
      { id: 'ONE@example.com', idProperty: 'email', properties: { lastname: 'Uno' } },
      { id: 'two@example.com', idProperty: 'email', properties: { firstname: 'Two' } },
    ]);
    assert.equal(mixed.statusCode, 200);
    const byEmail = Object.fromEntries(
      mixed.body.results.map((result) => [String(result.properties.email), result.new]),
    );
    assert.deepEqual(byEmail, { 'one@example.com': false, 'two@example.com': true });
    assert.equal(sandbox.contacts.byEmail('one@example.com')?.properties.firstname, 'One');
    assert.equal(sandbox.contacts.byEmail('one@example.com')?.properties.lastname, 'Uno');
    assert.equal(sandbox.contacts.all().length, 2);
  });

  void it('answers 207 with per-input errors while applying the valid inputs', async () => {
    const answer = await upsert(CONTACTS_2026, [
      { id: 'good@example.com', idProperty: 'email', properties: { firstname: 'Good' } },
      { id: 'not-an-email', idProperty: 'email', properties: { firstname: 'Bad' } },
      { id: 'also-good@example.com', idProperty: 'email', properties: { shoe_size: '42' } },
      { id: 'fine@example.com', idProperty: 'email', properties: {} },
    ]);
    assert.equal(answer.statusCode, 207);
    assert.equal(answer.body.numErrors, 2);
    assert.equal(answer.body.results.length, 2);
    const [invalidEmail, unknownProperty] = answer.body.errors ?? [];
    assert.ok(invalidEmail && unknownProperty);
    assert.equal(invalidEmail.status, 'error');
    assert.equal(invalidEmail.category, 'VALIDATION_ERROR');
    assert.deepEqual(invalidEmail.context.ids, ['not-an-email']);
    assert.equal(invalidEmail.errors[0]?.code, 'INVALID_EMAIL');
    assert.deepEqual(invalidEmail.links, {});
    assert.deepEqual(unknownProperty.context.ids, ['also-good@example.com']);
    assert.equal(unknownProperty.errors[0]?.code, 'PROPERTY_DOESNT_EXIST');
    assert.deepEqual(
      sandbox.contacts
        .all()
        .map((contact) => contact.properties.email)
        .sort(),
      ['fine@example.com', 'good@example.com'],
    );
  });

  void it('rejects a batch that names the same email twice, applying nothing', async () => {
    const answer = await upsert(CONTACTS_2026, [
      { id: 'twice@example.com', idProperty: 'email', properties: {} },
      { id: 'TWICE@example.com', idProperty: 'email', properties: {} },
    ]);
    assert.equal(answer.statusCode, 400);
    assert.match(String(answer.body.message), /Duplicate IDs/);
    assert.equal(sandbox.contacts.all().length, 0);
  });

  void it('rejects more than 100 inputs', async () => {
    const inputs = Array.from({ length: 101 }, (_, n) => ({
      id: `c${n}@example.com`,
      idProperty: 'email',
      properties: {},
    }));
    const answer = await upsert(CONTACTS_2026, inputs);
    assert.equal(answer.statusCode, 400);
    assert.equal(sandbox.contacts.all().length, 0);
  });

  void it('reads a batch by email with 207 for the missing ones', async () => {
    await upsert(CONTACTS_2026, [{ id: 'here@example.com', idProperty: 'email', properties: { firstname: 'H' } }]);
    const answer = await call<Batch>(sandbox, 'POST', `${CONTACTS_2026}/batch/read`, {
      token,
      json: {
        idProperty: 'email',
        inputs: [{ id: 'here@example.com' }, { id: 'missing@example.com' }],
        properties: ['firstname'],
        propertiesWithHistory: [],
      },
    });
    assert.equal(answer.statusCode, 207);
    assert.deepEqual(answer.body.results[0]?.properties, { firstname: 'H' });
    assert.equal(answer.body.errors?.[0]?.category, 'OBJECT_NOT_FOUND');
    assert.deepEqual(answer.body.errors?.[0]?.context.ids, ['missing@example.com']);
  });

  void it('creates, updates and archives in batches', async () => {
    const created = await call<Batch>(sandbox, 'POST', `${CONTACTS_V3}/batch/create`, {
      token,
      json: { inputs: [{ properties: { email: 'b1@example.com' }, associations: [] }] },
    });
    assert.equal(created.statusCode, 201);
    const id = created.body.results[0]?.id ?? '';
    const updated = await call<Batch>(sandbox, 'POST', `${CONTACTS_V3}/batch/update`, {
      token,
      json: {
        inputs: [
          { id, properties: { city: 'Lyon' } },
          { id: '424242', properties: { city: 'Nice' } },
        ],
      },
    });
    assert.equal(updated.statusCode, 207);
    assert.equal(updated.body.results[0]?.properties.city, 'Lyon');
    assert.equal(updated.body.errors?.[0]?.category, 'OBJECT_NOT_FOUND');
    const archived = await call(sandbox, 'POST', `${CONTACTS_V3}/batch/archive`, { token, json: { inputs: [{ id }] } });
    assert.equal(archived.statusCode, 204);
    assert.equal(sandbox.contacts.all()[0]?.archived, true);
  });
});

void describe('sandbox contact search', () => {
  let sandbox: Sandbox;
  let token: string;
  before(async () => {
    sandbox = await open({ searchRateLimit: false });
    token = sandbox.staticToken;
    await call(sandbox, 'POST', `${CONTACTS_2026}/batch/upsert`, {
      token,
      json: {
        inputs: [
          { id: 'ann@example.com', idProperty: 'email', properties: { firstname: 'Ann', city: 'Oslo' } },
          { id: 'bob@example.com', idProperty: 'email', properties: { firstname: 'Bob', city: 'Oslo' } },
          { id: 'cid@example.com', idProperty: 'email', properties: { firstname: 'Cid', city: 'Rome' } },
        ],
      },
    });
  });
  after(async () => {
    await sandbox.close();
  });

  const search = (body: unknown) => call<Page>(sandbox, 'POST', `${CONTACTS_2026}/search`, { token, json: body });
  const emails = (answer: Answer<Page>) => answer.body.results.map((contact) => contact.properties.email);

  void it('finds a contact with an EQ filter on email, case-insensitively', async () => {
    const answer = await search({
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'BOB@example.com' }] }],
      properties: ['email', 'firstname'],
      limit: 10,
      after: '0',
      sorts: [],
    });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.body.total, 1);
    assert.deepEqual(answer.body.results[0]?.properties, { email: 'bob@example.com', firstname: 'Bob' });
    assert.equal(answer.headers['x-hubspot-ratelimit-max'], undefined, 'search answers carry no limit headers');
  });

  void it('ANDs filters within a group and ORs the groups', async () => {
    const and = await search({
      filterGroups: [
        {
          filters: [
            { propertyName: 'city', operator: 'EQ', value: 'Oslo' },
            { propertyName: 'firstname', operator: 'EQ', value: 'Ann' },
          ],
        },
      ],
      properties: ['email'],
    });
    assert.deepEqual(emails(and), ['ann@example.com']);
    const or = await search({
      filterGroups: [
        { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Ann' }] },
        { filters: [{ propertyName: 'city', operator: 'EQ', value: 'Rome' }] },
      ],
      properties: ['email'],
    });
    assert.deepEqual(emails(or), ['ann@example.com', 'cid@example.com']);
  });

  void it('pages with limit and after', async () => {
    const filter = { filterGroups: [{ filters: [{ propertyName: 'city', operator: 'EQ', value: 'oslo' }] }] };
    const first = await search({ ...filter, properties: ['email'], limit: 1 });
    assert.equal(first.body.total, 2);
    assert.deepEqual(emails(first), ['ann@example.com']);
    const second = await search({ ...filter, properties: ['email'], limit: 1, after: first.body.paging?.next.after });
    assert.deepEqual(emails(second), ['bob@example.com']);
    assert.equal(second.body.paging, undefined);
  });

  void it('rejects filters on properties that do not exist', async () => {
    const answer = await search({
      filterGroups: [{ filters: [{ propertyName: 'shoe_size', operator: 'EQ', value: '42' }] }],
    });
    assert.equal(answer.statusCode, 400);
    assert.equal(answer.body.category, 'VALIDATION_ERROR');
    assert.deepEqual(answer.body.errors?.[0]?.context?.propertyName, ['shoe_size']);
  });
});

void describe('sandbox GDPR delete', () => {
  let sandbox: Sandbox;
  let token: string;
  before(async () => {
    sandbox = await open();
    token = sandbox.staticToken;
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  void it('permanently deletes a contact found by email and forgets its preferences', async () => {
    await call(sandbox, 'POST', CONTACTS_2026, { token, json: { properties: { email: 'gone@example.com' } } });
    await call(sandbox, 'POST', '/communication-preferences/v3/unsubscribe', {
      token,
      json: { emailAddress: 'gone@example.com', subscriptionId: '91370001' },
    });
    const answer = await call(sandbox, 'POST', `${CONTACTS_2026}/gdpr-delete`, {
      token,
      json: { objectId: 'Gone@example.com', idProperty: 'email' },
    });
    assert.equal(answer.statusCode, 204);
    assert.equal(sandbox.contacts.all().length, 0);
    assert.deepEqual(sandbox.deletedEmails(), ['gone@example.com']);
    assert.equal(sandbox.subscriptionStatus('gone@example.com').statuses[91370001], 'NOT_SPECIFIED');
    const recreate = await call(sandbox, 'POST', CONTACTS_2026, {
      token,
      json: { properties: { email: 'gone@example.com' } },
    });
    assert.equal(recreate.statusCode, 201);
  });

  void it('blocklists an email that matches no contact, so later writes with it fail', async () => {
    const answer = await call(sandbox, 'POST', `${CONTACTS_V3}/gdpr-delete`, {
      token,
      json: { objectId: 'never@example.com', idProperty: 'email' },
    });
    assert.equal(answer.statusCode, 204);
    assert.ok(sandbox.deletedEmails().includes('never@example.com'));
    const create = await call(sandbox, 'POST', CONTACTS_V3, {
      token,
      json: { properties: { email: 'never@example.com' } },
    });
    assert.equal(create.statusCode, 400);
    assert.equal(create.body.category, 'VALIDATION_ERROR');
    const upsert = await call(sandbox, 'POST', `${CONTACTS_V3}/batch/upsert`, {
      token,
      json: { inputs: [{ id: 'never@example.com', idProperty: 'email', properties: {} }] },
    });
    assert.equal(upsert.statusCode, 207);
    assert.equal(sandbox.contacts.byEmail('never@example.com'), undefined);
  });

  void it('deletes by id, and answers 404 for an id that does not exist', async () => {
    const created = await call<Contact>(sandbox, 'POST', CONTACTS_V3, {
      token,
      json: { properties: { firstname: 'NoEmail' } },
    });
    const deleted = await call(sandbox, 'POST', `${CONTACTS_V3}/gdpr-delete`, {
      token,
      json: { objectId: created.body.id },
    });
    assert.equal(deleted.statusCode, 204);
    assert.equal(sandbox.contacts.all().length, 0);
    const missing = await call(sandbox, 'POST', `${CONTACTS_V3}/gdpr-delete`, { token, json: { objectId: '31337' } });
    assert.equal(missing.statusCode, 404);
  });
});
