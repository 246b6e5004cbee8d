import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox, SubscriptionStatusView, WebhookEvent } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, open } from './helpers.js';
import { WebhookReceiver } from './webhook-receiver.js';
import type { Contact, HubSpotError } from './wire-types.js';

const ADMIN = '/_sandbox/crm/contacts';
const MARKETING = 3001;
const SALES = 3002;
// The sandbox's one user, as HubSpot names the user behind a CRM edit.
const USER_SOURCE = 'userId:7100001';

const brief = (event: WebhookEvent) => [
  event.subscriptionType,
  event.objectId,
  event.propertyName,
  event.propertyValue,
  event.changeSource,
  event.sourceId,
];

void describe('sandbox admin changes made inside HubSpot', () => {
  let sandbox: Sandbox;
  let receiver: WebhookReceiver;

  /** Creates a contact through the admin call, then forgets its events. */
  const existing = async (properties: Record<string, string>): Promise<Contact> => {
    const answer = await call<Contact>(sandbox, 'POST', ADMIN, { json: { properties } });
    assert.equal(answer.statusCode, 201);
    await sandbox.webhooks.idle();
    receiver.clear();
    return answer.body;
  };
  const events = async (): Promise<WebhookEvent[]> => {
    await sandbox.webhooks.idle();
    return receiver.events();
  };

  before(async () => {
    receiver = await WebhookReceiver.start();
    sandbox = await open({
      subscriptions: [
        { id: MARKETING, name: 'Marketing Information' },
        { id: SALES, name: 'One to One' },
      ],
      webhooks: { targetUrl: receiver.url, batchWindowMs: 10 },
    });
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(() => {
    sandbox.reset();
    receiver.clear();
  });

  void it('creates a contact as a user would, with CRM_UI events and no token', async () => {
    const answer = await call<Contact>(sandbox, 'POST', ADMIN, {
      json: { properties: { email: 'Rep@Example.com', firstname: 'Rita' } },
    });
    assert.equal(answer.statusCode, 201);
    assert.equal(sandbox.contacts.byEmail('rep@example.com')?.id, answer.body.id);
    const id = Number(answer.body.id);
    assert.deepEqual((await events()).map(brief), [
      ['contact.creation', id, undefined, undefined, 'CRM_UI', USER_SOURCE],
      ['contact.propertyChange', id, 'email', 'rep@example.com', 'CRM_UI', USER_SOURCE],
      ['contact.propertyChange', id, 'firstname', 'Rita', 'CRM_UI', USER_SOURCE],
    ]);
  });

  void it('edits a contact: CRM_UI property changes with the new values, nothing for an unchanged value', async () => {
    const contact = await existing({ email: 'edit@example.com', firstname: 'Ed', city: 'Leeds' });
    const before = sandbox.contacts.byEmail('edit@example.com')?.properties.lastmodifieddate;

    const unchanged = await call<Contact>(sandbox, 'PATCH', `${ADMIN}/${contact.id}`, {
      json: { properties: { firstname: 'Ed' } },
    });
    assert.equal(unchanged.statusCode, 200);
    assert.deepEqual(await events(), []);

    const edited = await call<Contact>(sandbox, 'PATCH', `${ADMIN}/${contact.id}`, {
      json: { properties: { jobtitle: 'Analyst', city: '' } },
    });
    assert.equal(edited.statusCode, 200);
    assert.equal(edited.body.properties.jobtitle, 'Analyst');
    const id = Number(contact.id);
    const changes = await events();
    assert.deepEqual(changes.map(brief), [
      ['contact.propertyChange', id, 'jobtitle', 'Analyst', 'CRM_UI', USER_SOURCE],
      ['contact.propertyChange', id, 'city', '', 'CRM_UI', USER_SOURCE],
    ]);
    const stored = sandbox.contacts.byEmail('edit@example.com');
    assert.equal(stored?.properties.city, null);
    assert.ok(Date.parse(String(stored?.properties.lastmodifieddate)) >= Date.parse(String(before)));
    assert.equal(changes[0]?.occurredAt, Date.parse(String(stored?.properties.lastmodifieddate)));

    const read = await call<Contact>(sandbox, 'GET', `${CONTACTS_2026}/${contact.id}`, {
      token: sandbox.staticToken,
      searchParams: { properties: 'jobtitle,lastmodifieddate' },
    });
    assert.equal(read.body.properties.jobtitle, 'Analyst');
    assert.equal(read.body.properties.lastmodifieddate, stored?.properties.lastmodifieddate);
  });

  void it('refuses unknown contacts, unknown or read-only properties, and bad bodies', async () => {
    const contact = await existing({ email: 'strict@example.com' });
    assert.equal((await call(sandbox, 'PATCH', `${ADMIN}/999999`, { json: { properties: {} } })).statusCode, 404);
    const unknown = await call<HubSpotError>(sandbox, 'PATCH', `${ADMIN}/${contact.id}`, {
      json: { properties: { favourite_colour: 'blue' } },
    });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.body.errors?.[0]?.code, 'PROPERTY_DOESNT_EXIST');
    const calculated = await call<HubSpotError>(sandbox, 'PATCH', `${ADMIN}/${contact.id}`, {
      json: { properties: { [`hs_email_optout_${MARKETING}`]: 'true' } },
    });
    assert.equal(calculated.statusCode, 400);
    assert.equal(calculated.body.errors?.[0]?.code, 'READ_ONLY_VALUE');
    assert.equal((await call(sandbox, 'POST', ADMIN, { json: { props: {} } })).statusCode, 400);
    assert.equal((await call(sandbox, 'POST', `${ADMIN}/merge`, { json: { primaryId: 'x' } })).statusCode, 400);
    assert.deepEqual(await events(), []);
  });

  void it('unsubscribes from all email through the footer: EMAIL changes of hs_email_optout and each type', async () => {
    const contact = await existing({ email: 'footer@example.com' });
    const answer = await call<SubscriptionStatusView>(sandbox, 'POST', `${ADMIN}/${contact.id}/unsubscribe`);
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.body.unsubscribedFromAll, true);
    assert.deepEqual(sandbox.subscriptionStatus('footer@example.com'), {
      unsubscribedFromAll: true,
      statuses: { [MARKETING]: 'UNSUBSCRIBED', [SALES]: 'UNSUBSCRIBED' },
    });
    const id = Number(contact.id);
    assert.deepEqual((await events()).map(brief), [
      ['contact.propertyChange', id, 'hs_email_optout', 'true', 'EMAIL', undefined],
      ['contact.propertyChange', id, `hs_email_optout_${MARKETING}`, 'true', 'EMAIL', undefined],
      ['contact.propertyChange', id, `hs_email_optout_${SALES}`, 'true', 'EMAIL', undefined],
    ]);

    receiver.clear();
    const again = await call(sandbox, 'POST', `${ADMIN}/${contact.id}/unsubscribe`, { json: {} });
    assert.equal(again.statusCode, 200);
    assert.deepEqual(await events(), [], 'already unsubscribed: nothing changes');

    const read = await call<Contact>(sandbox, 'GET', `${CONTACTS_2026}/${contact.id}`, {
      token: sandbox.staticToken,
      searchParams: { properties: `hs_email_optout,hs_email_optout_${MARKETING}` },
    });
    assert.deepEqual(read.body.properties, { hs_email_optout: 'true', [`hs_email_optout_${MARKETING}`]: 'true' });
  });

  void it('unsubscribes from one subscription type through the footer', async () => {
    const contact = await existing({ email: 'one-type@example.com' });
    const answer = await call(sandbox, 'POST', `${ADMIN}/${contact.id}/unsubscribe`, {
      json: { subscriptionId: SALES },
    });
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(sandbox.subscriptionStatus('one-type@example.com'), {
      unsubscribedFromAll: false,
      statuses: { [MARKETING]: 'NOT_SPECIFIED', [SALES]: 'UNSUBSCRIBED' },
    });
    assert.deepEqual((await events()).map(brief), [
      ['contact.propertyChange', Number(contact.id), `hs_email_optout_${SALES}`, 'true', 'EMAIL', undefined],
    ]);

    const unknown = await call(sandbox, 'POST', `${ADMIN}/${contact.id}/unsubscribe`, { json: { subscriptionId: 1 } });
    assert.equal(unknown.statusCode, 400);
    const noEmail = await existing({ firstname: 'Anon' });
    assert.equal((await call(sandbox, 'POST', `${ADMIN}/${noEmail.id}/unsubscribe`)).statusCode, 400);
  });

  void it('mirrors a resubscribe through the API after a footer opt-out as INTEGRATION changes', async () => {
    const contact = await existing({ email: 'back@example.com' });
    await call(sandbox, 'POST', `${ADMIN}/${contact.id}/unsubscribe`);
    await sandbox.webhooks.idle();
    receiver.clear();

    const answer = await call(sandbox, 'POST', '/communication-preferences/2026-03/statuses/back@example.com', {
      token: sandbox.staticToken,
      json: { channel: 'EMAIL', statusState: 'SUBSCRIBED', subscriptionId: SALES },
    });
    assert.equal(answer.statusCode, 200);
    const id = Number(contact.id);
    const app = String(sandbox.appId);
    assert.deepEqual((await events()).map(brief), [
      ['contact.propertyChange', id, 'hs_email_optout', 'false', 'INTEGRATION', app],
      ['contact.propertyChange', id, `hs_email_optout_${SALES}`, 'false', 'INTEGRATION', app],
    ]);
    assert.equal(sandbox.contacts.byEmail('back@example.com')?.properties[`hs_email_optout_${MARKETING}`], 'true');
  });

  void it('shows an earlier unsubscribe of the address on the contact created for it later', async () => {
    const answer = await call(sandbox, 'POST', '/communication-preferences/v3/unsubscribe', {
      token: sandbox.staticToken,
      json: { emailAddress: 'early@example.com', subscriptionId: String(MARKETING) },
    });
    assert.equal(answer.statusCode, 200);
    const created = await call<Contact>(sandbox, 'POST', ADMIN, {
      json: { properties: { email: 'early@example.com' } },
    });
    assert.equal(created.body.properties[`hs_email_optout_${MARKETING}`], 'true');
    assert.equal(created.body.properties[`hs_email_optout_${SALES}`], undefined);
    assert.ok(
      (await events()).some(
        (event) => event.propertyName === `hs_email_optout_${MARKETING}` && event.propertyValue === 'true',
      ),
    );
  });

  void it('archives a contact: contact.deletion from CRM_UI', async () => {
    const contact = await existing({ email: 'archive@example.com' });
    assert.equal((await call(sandbox, 'DELETE', `${ADMIN}/${contact.id}`)).statusCode, 204);
    assert.equal(sandbox.contacts.all().find((c) => c.id === contact.id)?.archived, true);
    assert.deepEqual((await events()).map(brief), [
      ['contact.deletion', Number(contact.id), undefined, undefined, 'CRM_UI', USER_SOURCE],
    ]);
    assert.equal((await call(sandbox, 'DELETE', `${ADMIN}/${contact.id}`)).statusCode, 404);
  });

  void it('GDPR-deletes a contact: privacyDeletion and deletion, the contact gone and its email recorded', async () => {
    const contact = await existing({ email: 'erase@example.com' });
    assert.equal((await call(sandbox, 'POST', `${ADMIN}/${contact.id}/gdpr-delete`)).statusCode, 204);
    const id = Number(contact.id);
    assert.deepEqual((await events()).map(brief), [
      ['contact.privacyDeletion', id, undefined, undefined, 'CRM_UI', USER_SOURCE],
      ['contact.deletion', id, undefined, undefined, 'CRM_UI', USER_SOURCE],
    ]);
    assert.deepEqual(sandbox.deletedEmails(), ['erase@example.com']);
    assert.equal(sandbox.contacts.all().length, 0);
    const read = await call(sandbox, 'GET', `${CONTACTS_2026}/${contact.id}`, {
      token: sandbox.staticToken,
      searchParams: { archived: 'true' },
    });
    assert.equal(read.statusCode, 404);
    assert.equal((await call(sandbox, 'POST', `${ADMIN}/${contact.id}/gdpr-delete`)).statusCode, 404);
  });

  void it('merges two contacts: the primary keeps its values, gains the missing ones, and answers for both ids', async () => {
    const primary = await existing({ email: 'primary@example.com', firstname: 'Pat' });
    const merged = await existing({ email: 'dupe@example.com', firstname: 'Patricia', city: 'York', phone: '1' });

    const answer = await call<Contact>(sandbox, 'POST', `${ADMIN}/merge`, {
      json: { primaryId: primary.id, mergedId: Number(merged.id) },
    });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.body.id, primary.id);
    assert.equal(answer.body.properties.firstname, 'Pat');
    assert.equal(answer.body.properties.email, 'primary@example.com');
    assert.equal(answer.body.properties.city, 'York');

    const all = await events();
    const merge = all.find((event) => event.subscriptionType === 'contact.merge');
    assert.deepEqual(
      merge && {
        objectId: merge.objectId,
        primaryObjectId: merge.primaryObjectId,
        mergedObjectIds: merge.mergedObjectIds,
        newObjectId: merge.newObjectId,
        numberOfPropertiesMoved: merge.numberOfPropertiesMoved,
        changeSource: merge.changeSource,
      },
      {
        objectId: Number(primary.id),
        primaryObjectId: Number(primary.id),
        mergedObjectIds: [Number(merged.id)],
        newObjectId: Number(primary.id),
        numberOfPropertiesMoved: 2,
        changeSource: 'CRM_UI',
      },
    );
    assert.deepEqual(
      all
        .filter((event) => event.subscriptionType === 'contact.propertyChange')
        .map((event) => [event.propertyName, event.propertyValue]),
      [
        ['city', 'York'],
        ['phone', '1'],
      ],
    );

    const byOldId = await call<Contact>(sandbox, 'GET', `${CONTACTS_2026}/${merged.id}`, {
      token: sandbox.staticToken,
    });
    assert.equal(byOldId.statusCode, 200);
    assert.equal(byOldId.body.id, primary.id);
    assert.equal(sandbox.contacts.all().length, 1);

    const self = await call(sandbox, 'POST', `${ADMIN}/merge`, {
      json: { primaryId: primary.id, mergedId: merged.id },
    });
    assert.equal(self.statusCode, 400, 'the merged id now is the primary');
    const missing = await call(sandbox, 'POST', `${ADMIN}/merge`, { json: { primaryId: primary.id, mergedId: '1' } });
    assert.equal(missing.statusCode, 404);
  });
});
