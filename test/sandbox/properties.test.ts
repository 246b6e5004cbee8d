import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { accessTokenWithScope, call, CONTACTS_2026, CONTACTS_V3, open } from './helpers.js';
import type { Batch, Contact, HubSpotError } from './wire-types.js';

interface Property {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: Array<{ label: string; value: string; hidden: boolean }>;
  hubspotDefined?: boolean;
  createdAt?: string;
  modificationMetadata: { readOnlyValue: boolean };
}

// The fields HubSpot's `Property` schema requires of every answer.
const REQUIRED = ['description', 'fieldType', 'groupName', 'label', 'name', 'options', 'type'];

const favouriteFood = {
  name: 'favourite_food',
  label: 'Favourite food',
  type: 'string',
  fieldType: 'text',
  groupName: 'contactinformation',
};

const BASES = [
  { properties: '/crm/properties/2026-03/contacts', contacts: CONTACTS_2026 },
  { properties: '/crm/v3/properties/contacts', contacts: CONTACTS_V3 },
];

void describe('sandbox contact properties', () => {
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

  for (const base of BASES) {
    void describe(base.properties, () => {
      void it('a write naming an unknown property fails until the property is created, then succeeds', async () => {
        const upsert = (food: string) =>
          call<Batch>(sandbox, 'POST', `${base.contacts}/batch/upsert`, {
            token,
            json: { inputs: [{ id: 'ada@example.com', idProperty: 'email', properties: { favourite_food: food } }] },
          });
        const before = await upsert('soup');
        assert.equal(before.statusCode, 207);
        assert.equal(before.body.errors?.[0]?.errors[0]?.code, 'PROPERTY_DOESNT_EXIST');
        assert.deepEqual(before.body.errors?.[0]?.context.propertyName, ['favourite_food']);

        const created = await call<Property>(sandbox, 'POST', base.properties, {
          token,
          json: { ...favouriteFood, options: [] },
        });
        assert.equal(created.statusCode, 201);
        for (const field of REQUIRED) assert.ok(field in created.body, `the answer has ${field}`);
        assert.equal(created.body.name, 'favourite_food');
        assert.equal(created.body.label, 'Favourite food');
        assert.equal(created.body.description, '');
        assert.equal(created.body.hubspotDefined, false);
        assert.equal(created.body.modificationMetadata.readOnlyValue, false);
        assert.ok(created.body.createdAt && !Number.isNaN(Date.parse(created.body.createdAt)));

        const afterCreate = await upsert('soup');
        assert.equal(afterCreate.statusCode, 200);
        const id = afterCreate.body.results[0]?.id;
        assert.ok(id);
        const patched = await call<Contact>(sandbox, 'PATCH', `${base.contacts}/${id}`, {
          token,
          json: { properties: { favourite_food: 'bread' } },
        });
        assert.equal(patched.statusCode, 200);
        const read = await call<Contact>(sandbox, 'GET', `${base.contacts}/${id}`, {
          token,
          searchParams: { properties: 'favourite_food' },
        });
        assert.deepEqual(read.body.properties, { favourite_food: 'bread' });
      });

      void it('lists the built-in and the created properties, and reads one by name', async () => {
        await call(sandbox, 'POST', base.properties, { token, json: favouriteFood });
        const list = await call<{ results: Property[] }>(sandbox, 'GET', base.properties, { token });
        assert.equal(list.statusCode, 200);
        const names = list.body.results.map((property) => property.name);
        for (const name of ['email', 'hs_object_id', 'hs_email_optout', 'favourite_food'])
          assert.ok(names.includes(name));
        for (const property of list.body.results) {
          for (const field of REQUIRED) assert.ok(field in property, `${property.name} has ${field}`);
        }
        const archived = await call<{ results: Property[] }>(sandbox, 'GET', base.properties, {
          token,
          searchParams: { archived: 'true' },
        });
        assert.deepEqual(archived.body.results, []);

        const one = await call<Property>(sandbox, 'GET', `${base.properties}/favourite_food`, { token });
        assert.equal(one.statusCode, 200);
        assert.equal(one.body.label, 'Favourite food');
        const builtIn = await call<Property>(sandbox, 'GET', `${base.properties}/lifecyclestage`, { token });
        assert.equal(builtIn.body.type, 'enumeration');
        assert.equal(builtIn.body.hubspotDefined, true);
        assert.ok(builtIn.body.options.some((option) => option.value === 'customer'));
        const missing = await call(sandbox, 'GET', `${base.properties}/no_such_property`, { token });
        assert.equal(missing.statusCode, 404);
        assert.equal(missing.body.category, 'OBJECT_NOT_FOUND');
      });

      void it('answers 409 for a name that exists, custom or built-in', async () => {
        assert.equal((await call(sandbox, 'POST', base.properties, { token, json: favouriteFood })).statusCode, 201);
        for (const name of ['favourite_food', 'email', 'hs_object_id']) {
          const again = await call(sandbox, 'POST', base.properties, { token, json: { ...favouriteFood, name } });
          assert.equal(again.statusCode, 409, name);
          assert.equal(again.body.status, 'error');
          assert.equal(again.body.category, 'OBJECT_ALREADY_EXISTS');
          assert.match(again.body.correlationId, /^[0-9a-f-]{36}$/);
          assert.deepEqual(again.body.context, { name: [name] });
        }
        const one = await call<Property>(sandbox, 'GET', `${base.properties}/email`, { token });
        assert.equal(one.body.label, 'Email', 'the built-in property is untouched');
      });
    });
  }

  void it('answers 400 naming the field for a body that breaks PropertyCreate', async () => {
    const path = '/crm/properties/2026-03/contacts';
    const cases: Array<[unknown, string]> = [
      [{ ...favouriteFood, groupName: undefined }, 'groupName'],
      [{ ...favouriteFood, type: 'text' }, 'type'],
      [{ ...favouriteFood, fieldType: 'dropdown' }, 'fieldType'],
      [{ ...favouriteFood, name: 'Favourite Food' }, 'name'],
      [{ ...favouriteFood, type: 'enumeration', fieldType: 'select' }, 'options'],
      [{ ...favouriteFood, options: [{ label: 'Soup', value: 'soup' }] }, 'options.0.displayOrder'],
      [{ ...favouriteFood, hasUniqueValue: true }, 'hasUniqueValue'],
    ];
    for (const [json, field] of cases) {
      const answer = await call<HubSpotError>(sandbox, 'POST', path, { token, json });
      assert.equal(answer.statusCode, 400, field);
      assert.equal(answer.body.category, 'VALIDATION_ERROR');
      assert.match(answer.body.message, new RegExp(`\\b${field.replace(/\./g, '\\.')}: `), answer.body.message);
    }
    const list = await call<{ results: Property[] }>(sandbox, 'GET', path, { token });
    assert.equal(
      list.body.results.some((property) => property.name === 'favourite_food'),
      false,
      'no rejected body made a property',
    );
  });

  void it('creating needs the schema write scope; reading takes a contact scope too', async () => {
    const contactsOnly = await accessTokenWithScope(sandbox, 'crm.objects.contacts.write');
    const refused = await call(sandbox, 'POST', '/crm/v3/properties/contacts', {
      token: contactsOnly,
      json: favouriteFood,
    });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.body.category, 'MISSING_SCOPES');
    assert.equal((await call(sandbox, 'GET', '/crm/v3/properties/contacts', { token: contactsOnly })).statusCode, 200);

    const schemaWriter = await accessTokenWithScope(sandbox, 'crm.schemas.contacts.write');
    const created = await call(sandbox, 'POST', '/crm/v3/properties/contacts', {
      token: schemaWriter,
      json: favouriteFood,
    });
    assert.equal(created.statusCode, 201);
    assert.equal((await call(sandbox, 'POST', '/crm/v3/properties/contacts', { json: favouriteFood })).statusCode, 401);
  });

  void it('reset drops the created properties', async () => {
    await call(sandbox, 'POST', '/crm/v3/properties/contacts', { token, json: favouriteFood });
    sandbox.reset();
    const read = await call(sandbox, 'GET', '/crm/v3/properties/contacts/favourite_food', { token });
    assert.equal(read.statusCode, 404);
  });
});
