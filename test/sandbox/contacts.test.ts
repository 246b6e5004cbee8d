import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, CONTACTS_V3, open, UUID } from './helpers.js';
import type { Contact, Page } from './wire-types.js';

void describe('sandbox contacts', () => {
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

  for (const base of [CONTACTS_2026, CONTACTS_V3]) {
    void describe(base, () => {
      void it('creates, reads by id and by email, updates, and archives a contact', async () => {
        const created = await call<Contact>(sandbox, 'POST', base, {
          token,
          json: { properties: { email: 'Jane.Doe@Example.com', firstname: 'Jane', phone: 5551234 }, associations: [] },
        });
        assert.equal(created.statusCode, 201);
        const { id } = created.body;
        assert.match(id, /^\d+$/);
        assert.equal(created.body.properties.email, 'jane.doe@example.com');
        assert.equal(created.body.properties.phone, '5551234');
        assert.equal(created.body.properties.hs_object_id, id);
        assert.equal(created.body.archived, false);

        const byId = await call<Contact>(sandbox, 'GET', `${base}/${id}`, { token });
        assert.equal(byId.statusCode, 200);
        assert.deepEqual(Object.keys(byId.body.properties).sort(), [
          'createdate',
          'email',
          'firstname',
          'hs_object_id',
          'lastmodifieddate',
          'lastname',
        ]);
        assert.equal(byId.body.properties.lastname, null);

        const byEmail = await call<Contact>(sandbox, 'GET', `${base}/JANE.DOE@example.com`, {
          token,
          searchParams: { idProperty: 'email', properties: 'email,company' },
        });
        assert.equal(byEmail.statusCode, 200);
        assert.equal(byEmail.body.id, id);
        assert.deepEqual(byEmail.body.properties, { email: 'jane.doe@example.com', company: null });

        const patched = await call<Contact>(sandbox, 'PATCH', `${base}/${id}`, {
          token,
          json: { properties: { lastname: 'Doe', firstname: '' } },
        });
        assert.equal(patched.statusCode, 200);
        assert.equal(patched.body.properties.lastname, 'Doe');
        assert.equal('firstname' in patched.body.properties, false, 'an empty string clears a value');

        const patchedByEmail = await call<Contact>(sandbox, 'PATCH', `${base}/jane.doe@example.com`, {
          token,
          searchParams: { idProperty: 'email' },
          json: { properties: { company: 'Acme' } },
        });
        assert.equal(patchedByEmail.statusCode, 200);
        assert.equal(sandbox.contacts.byEmail('jane.doe@example.com')?.properties.company, 'Acme');

        const archived = await call(sandbox, 'DELETE', `${base}/${id}`, { token });
        assert.equal(archived.statusCode, 204);
        const gone = await call(sandbox, 'GET', `${base}/${id}`, { token });
        assert.equal(gone.statusCode, 404);
        const withArchived = await call<Contact>(sandbox, 'GET', `${base}/${id}`, {
          token,
          searchParams: { archived: 'true' },
        });
        assert.equal(withArchived.body.archived, true);
        assert.equal(sandbox.contacts.byEmail('jane.doe@example.com'), undefined);
      });

      void it('answers 404 with HubSpot error body for absent contacts on read and update', async () => {
        const read = await call(sandbox, 'GET', `${base}/nobody@example.com`, {
          token,
          searchParams: { idProperty: 'email' },
        });
        assert.equal(read.statusCode, 404);
        assert.equal(read.body.status, 'error');
        assert.equal(read.body.category, 'OBJECT_NOT_FOUND');
        assert.match(read.body.correlationId, UUID);
        const update = await call(sandbox, 'PATCH', `${base}/999999`, {
          token,
          json: { properties: { firstname: 'x' } },
        });
        assert.equal(update.statusCode, 404);
        assert.equal(update.body.category, 'OBJECT_NOT_FOUND');
      });

      void it('answers 409 CONFLICT with the existing id when the email is taken, whatever its case', async () => {
        const first = await call<Contact>(sandbox, 'POST', base, {
          token,
          json: { properties: { email: 'dup@example.com' } },
        });
        const second = await call(sandbox, 'POST', base, { token, json: { properties: { email: 'DUP@example.com' } } });
        assert.equal(second.statusCode, 409);
        assert.equal(second.body.category, 'CONFLICT');
        assert.equal(second.body.message, `Contact already exists. Existing ID: ${first.body.id}`);
        assert.equal(sandbox.contacts.all().length, 1);
      });

      void it('rejects unknown properties and invalid emails with VALIDATION_ERROR bodies', async () => {
        const unknown = await call(sandbox, 'POST', base, {
          token,
          json: { properties: { email: 'ok@example.com', favourite_colour: 'blue' } },
        });
        assert.equal(unknown.statusCode, 400);
        assert.equal(unknown.body.category, 'VALIDATION_ERROR');
        assert.match(unknown.body.message, /^Property values were not valid: /);
        assert.deepEqual(unknown.body.errors, [
          {
            message: 'Property "favourite_colour" does not exist',
            code: 'PROPERTY_DOESNT_EXIST',
            context: { propertyName: ['favourite_colour'] },
          },
        ]);

        const badEmail = await call(sandbox, 'POST', base, { token, json: { properties: { email: 'not an email' } } });
        assert.equal(badEmail.statusCode, 400);
        assert.equal(badEmail.body.errors?.[0]?.code, 'INVALID_EMAIL');
        assert.deepEqual(badEmail.body.errors?.[0]?.context, { propertyName: ['email'] });

        const readOnly = await call(sandbox, 'POST', base, {
          token,
          json: { properties: { createdate: '2020-01-01' } },
        });
        assert.equal(readOnly.statusCode, 400);
        assert.equal(readOnly.body.errors?.[0]?.code, 'READ_ONLY_VALUE');
        assert.equal(sandbox.contacts.all().length, 0);
      });

      void it('rejects a body without properties', async () => {
        const answer = await call(sandbox, 'POST', base, { token, json: { props: {} } });
        assert.equal(answer.statusCode, 400);
        assert.equal(answer.body.category, 'VALIDATION_ERROR');
        assert.match(answer.body.message, /^Invalid input JSON/);
      });
    });
  }

  void it('lists contacts a page at a time', async () => {
    for (const n of [1, 2, 3]) {
      await call(sandbox, 'POST', CONTACTS_2026, { token, json: { properties: { email: `p${n}@example.com` } } });
    }
    const first = await call<Page>(sandbox, 'GET', CONTACTS_2026, {
      token,
      searchParams: { limit: '2', properties: 'email' },
    });
    assert.deepEqual(
      first.body.results.map((contact) => contact.properties.email),
      ['p1@example.com', 'p2@example.com'],
    );
    const next = await call<Page>(sandbox, 'GET', CONTACTS_2026, {
      token,
      searchParams: { limit: '2', properties: 'email', after: String(first.body.paging?.next.after) },
    });
    assert.equal(next.body.results.length, 1);
    assert.equal(next.body.paging, undefined);
  });

  void it('refuses to give an existing contact another contact’s email', async () => {
    const a = await call<Contact>(sandbox, 'POST', CONTACTS_2026, {
      token,
      json: { properties: { email: 'a@example.com' } },
    });
    const b = await call<Contact>(sandbox, 'POST', CONTACTS_2026, {
      token,
      json: { properties: { email: 'b@example.com' } },
    });
    const clash = await call(sandbox, 'PATCH', `${CONTACTS_2026}/${b.body.id}`, {
      token,
      json: { properties: { email: 'A@example.com' } },
    });
    assert.equal(clash.statusCode, 409);
    assert.equal(clash.body.message, `Contact already exists. Existing ID: ${a.body.id}`);
  });
});
