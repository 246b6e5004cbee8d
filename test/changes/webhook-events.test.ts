import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWebhookBatch } from '../../src/changes/webhook-events.js';

const base = { subscriptionId: 7, portalId: 62515, appId: 4021337, attemptNumber: 0, changeSource: 'CRM_UI' };
const at = 1_796_000_000_000;
const parsed = (events: unknown[]) => {
  const batch = parseWebhookBatch(events);
  assert.ok(!('error' in batch));
  return batch;
};

describe('HubSpot webhook batches as changes for the leads (pure)', () => {
  it('refuses a body that is not an array', () => {
    assert.deepEqual(parseWebhookBatch({ eventId: 1 }), {
      error: 'the body must be a JSON array of HubSpot webhook events',
    });
  });

  it('makes one change of one edit’s events, with an id that is the same when HubSpot retries the batch', () => {
    const events = [
      {
        ...base,
        eventId: 1,
        occurredAt: at,
        subscriptionType: 'contact.propertyChange',
        objectId: 901,
        propertyName: 'firstname',
        propertyValue: 'Grace',
      },
      {
        ...base,
        eventId: 2,
        occurredAt: at,
        subscriptionType: 'contact.propertyChange',
        objectId: 901,
        propertyName: 'lastname',
        propertyValue: '',
      },
      {
        ...base,
        eventId: 3,
        occurredAt: at + 1,
        subscriptionType: 'contact.propertyChange',
        objectId: 901,
        propertyName: 'city',
        propertyValue: 'Paris',
      },
    ];
    const first = parsed(events).byPortal.get('62515')!;
    assert.deepEqual(
      first.map((c) => c.change),
      [
        {
          type: 'properties',
          contactId: '901',
          occurredAt: at,
          source: 'CRM_UI',
          properties: { firstname: 'Grace', lastname: null },
        },
        { type: 'properties', contactId: '901', occurredAt: at + 1, source: 'CRM_UI', properties: { city: 'Paris' } },
      ],
    );
    const retried = parsed([...events].reverse().map((e) => ({ ...e, attemptNumber: 1 }))).byPortal.get('62515')!;
    assert.deepEqual(
      retried.map((c) => c.eventId),
      first.map((c) => c.eventId),
    );
    assert.notEqual(first[0]!.eventId, first[1]!.eventId);
  });

  it('reads deletions, privacy deletions, merges and the newer object.* types for contacts', () => {
    const batch = parsed([
      { ...base, eventId: 10, occurredAt: at, subscriptionType: 'contact.deletion', objectId: 901 },
      { ...base, eventId: 11, occurredAt: at, subscriptionType: 'contact.privacyDeletion', objectId: 902 },
      {
        ...base,
        eventId: 12,
        occurredAt: at,
        subscriptionType: 'contact.merge',
        objectId: 903,
        primaryObjectId: 903,
        mergedObjectIds: [904],
        newObjectId: 903,
      },
      {
        ...base,
        eventId: 13,
        occurredAt: at + 2,
        subscriptionType: 'object.propertyChange',
        objectTypeId: '0-1',
        objectId: 905,
        propertyName: 'hs_email_optout',
        propertyValue: 'true',
      },
    ]);
    assert.deepEqual(
      batch.byPortal.get('62515')!.map((c) => c.change),
      [
        { type: 'deleted', contactId: '901', occurredAt: at, source: 'CRM_UI', gdpr: false },
        { type: 'deleted', contactId: '902', occurredAt: at, source: 'CRM_UI', gdpr: true },
        { type: 'merged', contactId: '903', occurredAt: at, source: 'CRM_UI', mergedIds: ['904'] },
        {
          type: 'properties',
          contactId: '905',
          occurredAt: at + 2,
          source: 'CRM_UI',
          properties: { hs_email_optout: 'true' },
        },
      ],
    );
  });

  it('acknowledges what it does not handle, naming why, and drops the app’s own writes as echoes', () => {
    const batch = parsed([
      { ...base, eventId: 20, occurredAt: at, subscriptionType: 'company.creation', objectId: 1 },
      { ...base, eventId: 21, occurredAt: at, subscriptionType: 'object.creation', objectTypeId: '0-2', objectId: 2 },
      { ...base, eventId: 22, subscriptionType: 'contact.deletion', objectId: 3 },
      {
        ...base,
        eventId: 23,
        occurredAt: at,
        subscriptionType: 'contact.propertyChange',
        objectId: 4,
        propertyName: 'firstname',
        propertyValue: 'Us',
        changeSource: 'INTEGRATION',
        sourceId: '4021337',
      },
      {
        ...base,
        eventId: 24,
        occurredAt: at,
        subscriptionType: 'contact.propertyChange',
        objectId: 5,
        propertyName: 'firstname',
        propertyValue: 'Them',
        changeSource: 'INTEGRATION',
        sourceId: '999',
      },
    ]);
    assert.deepEqual(
      batch.ignored.map((i) => [i.index, i.reason]),
      [
        [0, 'subscriptionType company.creation is not handled'],
        [1, 'subscriptionType object.creation is not handled'],
        [2, 'occurredAt: Invalid input: expected number, received undefined'],
      ],
    );
    assert.equal(batch.echoes, 1);
    assert.deepEqual(
      batch.byPortal.get('62515')!.map((c) => c.change.contactId),
      ['5'],
      'another integration’s write is a change from HubSpot',
    );
  });

  it('keeps portals apart', () => {
    const batch = parsed([
      { ...base, eventId: 30, occurredAt: at, subscriptionType: 'contact.deletion', objectId: 1 },
      { ...base, portalId: 777, eventId: 31, occurredAt: at, subscriptionType: 'contact.deletion', objectId: 2 },
    ]);
    assert.deepEqual([...batch.byPortal.keys()].sort(), ['62515', '777']);
  });
});
