import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendDelivery } from '../../src/shared/delivery-types.js';
import { FailureType } from '../../src/shared/failure-types.js';
import type { HubSpotChange, LeadEvent, LeadEventBody, LeadRecord } from '../../src/shared/lead-types.js';
import { LeadLedger, type Step } from '../../src/workflows/lead-ledger.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const email = 'ada@example.com';
const CONTACT = '901';
const iso = (ms: number) => new Date(ms).toISOString();

let counter = 0;
const ev = (body: LeadEventBody, eventId = `in-${++counter}`): LeadEvent => ({
  ...body,
  eventId,
  email,
  receivedAt: iso(T0),
});
const update = (properties: Record<string, string>, eventId?: string) => ev({ kind: 'update', properties }, eventId);
const hubspot = (change: HubSpotChange, opts: { eventId?: string; deliver?: boolean } = {}) =>
  ev({ kind: 'hubspot', change, deliver: opts.deliver ?? true }, opts.eventId);
const props = (
  properties: Record<string, string | null>,
  occurredAt: number,
  opts: { source?: string; contactId?: string; created?: boolean } = {},
): HubSpotChange => ({
  type: 'properties',
  contactId: opts.contactId ?? CONTACT,
  properties,
  occurredAt,
  source: opts.source ?? 'CRM_UI',
  ...(opts.created === undefined ? {} : { created: opts.created }),
});
const deletion = (occurredAt: number, gdpr: boolean, contactId = CONTACT): HubSpotChange => ({
  type: 'deleted',
  contactId,
  occurredAt,
  source: 'CRM_UI',
  gdpr,
});
const fresh = () => LeadLedger.create({ email, portalId: '42', now: T0 });

/** Applies every step as HubSpot would accept it at `now` (HubSpot's clock too), returning the steps in order. */
function drain(ledger: LeadLedger, now = T0, id = CONTACT): Step[] {
  const steps: Step[] = [];
  for (let step = ledger.next(now); step; step = ledger.next(now)) {
    steps.push(step);
    if (step.kind === 'write') ledger.succeeded({ kind: 'write', id, properties: strings(step), at: now }, now);
    else if (step.kind === 'resubscribe') ledger.succeeded({ kind: 'resubscribe', resubscribed: [] }, now);
    else if (step.kind === 'resync') ledger.succeeded({ kind: 'resync', id }, now);
    else ledger.succeeded({ kind: step.kind }, now);
  }
  return steps;
}
const strings = (step: Extract<Step, { kind: 'write' }>) =>
  Object.fromEntries(Object.entries(step.properties).map(([k, v]) => [k, String(v)]));

/** A lead whose register (firstname=Ada) HubSpot applied at T0, as contact CONTACT. */
function registered(): LeadLedger {
  const ledger = fresh();
  ledger.accept(ev({ kind: 'register', properties: { firstname: 'Ada' } }), T0);
  drain(ledger, T0);
  return ledger;
}
/** Every delivery waiting for the backend, whole (the view shows only their ids and types). */
const outbox = (ledger: LeadLedger): BackendDelivery[] => ledger.snapshot().outbox;
/** A HubSpot event as someone might send it by hand, with any change at all. */
const raw = (change: unknown) =>
  ({ kind: 'hubspot', eventId: `raw-${++counter}`, email, receivedAt: iso(T0), deliver: true, change }) as LeadEvent;
/** Accepts a HubSpot change and lets the ledger settle it. */
function report(ledger: LeadLedger, event: LeadEvent, now = T0): void {
  assert.equal(ledger.accept(event, now), 'queued');
  assert.equal(ledger.next(now), undefined, 'a HubSpot change needs no call');
}

describe('inbound changes from HubSpot (pure bookkeeping, no server)', () => {
  it('a HubSpot change needs no call: next() settles it and returns the next real step, or undefined', () => {
    const ledger = registered();
    ledger.accept(hubspot(props({ lastname: 'Lovelace' }, T0 + 1)), T0);
    ledger.accept(update({ jobtitle: 'Analyst' }), T0);
    const step = ledger.next(T0 + 2);
    assert.equal(step?.kind, 'write');
    assert.deepEqual(step.kind === 'write' && step.properties, { jobtitle: 'Analyst' });
    assert.deepEqual(
      outbox(ledger).map((d) => [d.type, d.changes]),
      [['lead.updated', { lastname: 'Lovelace' }]],
      'settled on the way to the write',
    );
    ledger.succeeded({ kind: 'write', id: CONTACT, properties: { jobtitle: 'Analyst' }, at: T0 + 2 }, T0 + 2);
    ledger.accept(hubspot(props({ city: 'London' }, T0 + 3)), T0 + 3);
    assert.equal(ledger.hasWork(), true);
    assert.equal(ledger.next(T0 + 3), undefined);
    assert.equal(ledger.hasWork(), false);
    const view = ledger.view(false);
    assert.equal(view.properties.city, 'London');
    assert.equal(view.processedEvents, 2, 'the backend’s own events; HubSpot’s reports are not counted');
    assert.equal(view.status, 'synced');
  });

  it('a change queued behind a write is applied after that write succeeded, not before', () => {
    const ledger = registered();
    ledger.accept(update({ firstname: 'Ava' }), T0 + 1);
    ledger.accept(hubspot(props({ firstname: 'Grace' }, T0 + 5)), T0 + 1);
    const step = ledger.next(T0 + 1);
    assert.equal(step?.kind, 'write');
    assert.equal(ledger.next(T0 + 1), step, 'the write is still in flight: the change waits behind it');
    assert.deepEqual(outbox(ledger), []);
    assert.equal(ledger.view(false).properties.firstname, 'Ada');
    ledger.succeeded({ kind: 'write', id: CONTACT, properties: { firstname: 'Ava' }, at: T0 + 2 }, T0 + 2);
    assert.equal(ledger.next(T0 + 6), undefined);
    assert.equal(ledger.view(false).properties.firstname, 'Grace');
    assert.deepEqual(
      outbox(ledger).map((d) => d.changes),
      [{ firstname: 'Grace' }],
    );
  });

  it('a change queued behind a write that HubSpot applied later than the change is already overwritten', () => {
    const ledger = registered();
    ledger.accept(update({ firstname: 'Ava' }), T0 + 1);
    ledger.accept(hubspot(props({ firstname: 'Grace' }, T0 + 5)), T0 + 1);
    ledger.next(T0 + 1);
    ledger.succeeded({ kind: 'write', id: CONTACT, properties: { firstname: 'Ava' }, at: T0 + 9 }, T0 + 9);
    assert.equal(ledger.next(T0 + 9), undefined);
    assert.equal(ledger.view(false).properties.firstname, 'Ava');
    assert.deepEqual(outbox(ledger), []);
  });

  it('drops echoes of its own write and older values, and tells the backend of a newer one', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ firstname: 'Ada' }, T0, { source: 'INTEGRATION' })));
    report(ledger, hubspot(props({ firstname: 'Ava' }, T0 - 1)));
    assert.deepEqual(outbox(ledger), [], 'neither the echo nor the older value is news');
    assert.equal(ledger.view(false).properties.firstname, 'Ada');
    assert.deepEqual(ledger.view(false).hubspot.properties, {});

    report(ledger, hubspot(props({ firstname: 'Grace' }, T0 + 1), { eventId: 'grace' }), T0 + 1);
    const deliveries = outbox(ledger);
    assert.equal(deliveries.length, 1);
    assert.deepEqual(deliveries[0], {
      id: 'grace:lead.updated',
      type: 'lead.updated',
      portalId: '42',
      email,
      hubspotId: CONTACT,
      changes: { firstname: 'Grace' },
      source: 'hubspot',
      occurredAt: iso(T0 + 1),
    });
    const view = ledger.view(false);
    assert.equal(view.properties.firstname, 'Grace');
    assert.equal(view.hubspot.properties.firstname, 'Grace');
    assert.equal(view.hubspot.lastChangeAt, iso(T0 + 1));
  });

  it('a later backend write of a property HubSpot changed wins: it leaves the HubSpot-side properties', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ firstname: 'Grace', lastname: 'Hopper' }, T0 + 1)), T0 + 1);
    ledger.accept(update({ firstname: 'Ada' }), T0 + 2);
    drain(ledger, T0 + 2);
    const view = ledger.view(false);
    assert.equal(view.properties.firstname, 'Ada');
    assert.equal('firstname' in view.hubspot.properties, false);
    assert.equal(view.hubspot.properties.lastname, 'Hopper', 'what the backend did not write stays HubSpot’s');
    // HubSpot's webhook for the backend's write comes after it: an echo.
    report(ledger, hubspot(props({ firstname: 'Ada' }, T0 + 2, { source: 'INTEGRATION' })), T0 + 3);
    assert.equal(outbox(ledger).length, 1, 'only the first change was news');
  });

  it('webhooks out of order: an older change of the same property after a newer one is dropped', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ jobtitle: 'Admiral' }, T0 + 200)), T0 + 300);
    report(ledger, hubspot(props({ jobtitle: 'Captain' }, T0 + 100)), T0 + 300);
    assert.equal(ledger.view(false).properties.jobtitle, 'Admiral');
    assert.deepEqual(
      outbox(ledger).map((d) => d.changes),
      [{ jobtitle: 'Admiral' }],
    );
    // Another property in the older change is still news: the ordering is per property.
    report(ledger, hubspot(props({ jobtitle: 'Captain', city: 'Arlington' }, T0 + 150)), T0 + 300);
    assert.deepEqual(outbox(ledger).at(-1)?.changes, { city: 'Arlington' });
  });

  it('an unsubscribe from all email inside HubSpot is told, and a later backend update does not undo it', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ hs_email_optout: 'true' }, T0 + 1), { eventId: 'footer' }), T0 + 1);
    assert.deepEqual(
      outbox(ledger).map((d) => [d.id, d.type, d.changes]),
      [['footer:lead.unsubscribed', 'lead.unsubscribed', { hs_email_optout: 'true' }]],
    );
    let view = ledger.view(false);
    assert.equal(view.subscription.unsubscribedFromAll, true);
    assert.equal(view.hubspot.subscription.unsubscribedFromAll, true);
    assert.equal('hs_email_optout' in view.properties, false, 'an opt-out is subscription state, not a property');
    ledger.accept(update({ jobtitle: 'Analyst' }), T0 + 2);
    drain(ledger, T0 + 2);
    view = ledger.view(false);
    assert.deepEqual(view.subscription, { unsubscribedFromAll: true, unsubscribed: [] });
    assert.deepEqual(view.hubspot.subscription, { unsubscribedFromAll: true, unsubscribed: [] });
    // The same opt-out reported again (the poll after the webhook) is no news.
    report(ledger, hubspot(props({ hs_email_optout: 'true' }, T0 + 3, { source: 'POLL' })), T0 + 3);
    assert.equal(outbox(ledger).length, 1);
  });

  it('an unsubscribe from one subscription inside HubSpot adds it to both unsubscribed lists', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ hs_email_optout_91370001: 'true' }, T0 + 1)), T0 + 1);
    const view = ledger.view(false);
    assert.deepEqual(view.subscription, { unsubscribedFromAll: false, unsubscribed: ['91370001'] });
    assert.deepEqual(view.hubspot.subscription, { unsubscribedFromAll: false, unsubscribed: ['91370001'] });
    assert.deepEqual(
      outbox(ledger).map((d) => [d.type, d.changes]),
      [['lead.unsubscribed', { hs_email_optout_91370001: 'true' }]],
    );
  });

  it('a resubscribe after an opt-out inside HubSpot needs a legal basis: without one it fails with no call', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ hs_email_optout: 'true' }, T0 + 1)), T0 + 1);
    ledger.accept(ev({ kind: 'resubscribe' }, 'no-basis'), T0 + 2);
    assert.equal(ledger.next(T0 + 2), undefined, 'refused before any call');
    const view = ledger.view(false);
    assert.equal(view.status, 'failed');
    assert.equal(view.failed.length, 1);
    assert.equal(view.failed[0]!.event.eventId, 'no-basis');
    assert.equal(view.failed[0]!.errorType, FailureType.InvalidInput);
    assert.match(view.failed[0]!.message, /legalBasis/);
    assert.equal(view.subscription.unsubscribedFromAll, true);

    ledger.accept(ev({ kind: 'resubscribe', legalBasis: 'CONSENT_WITH_NOTICE' }, 'with-basis'), T0 + 3);
    const step = ledger.next(T0 + 3);
    assert.equal(step?.kind, 'resubscribe');
    assert.equal(step.kind === 'resubscribe' && step.event.eventId, 'with-basis');
    ledger.succeeded({ kind: 'resubscribe', resubscribed: [] }, T0 + 3);
    assert.deepEqual(ledger.view(false).subscription, { unsubscribedFromAll: false, unsubscribed: [] });
    assert.deepEqual(ledger.view(false).hubspot.subscription, { unsubscribedFromAll: false, unsubscribed: [] });
  });

  it('a resubscribe without a legal basis goes through when the opt-out was the backend’s own', () => {
    const ledger = registered();
    ledger.accept(ev({ kind: 'unsubscribe' }), T0 + 1);
    drain(ledger, T0 + 1);
    ledger.accept(ev({ kind: 'resubscribe' }), T0 + 2);
    assert.equal(ledger.next(T0 + 2)?.kind, 'resubscribe');

    // An opt-out of another subscription inside HubSpot does not guard this one.
    const other = registered();
    report(other, hubspot(props({ hs_email_optout_91370001: 'true' }, T0 + 1)), T0 + 1);
    other.accept(ev({ kind: 'resubscribe', subscriptionId: '91370002' }), T0 + 2);
    assert.equal(other.next(T0 + 2)?.kind, 'resubscribe');
    other.succeeded({ kind: 'resubscribe', resubscribed: ['91370002'] }, T0 + 2);
    other.accept(ev({ kind: 'resubscribe', subscriptionId: '91370001' }), T0 + 3);
    assert.equal(other.next(T0 + 3), undefined, 'the one left inside HubSpot needs a legal basis');
    assert.equal(other.view(false).failed[0]?.errorType, FailureType.InvalidInput);
  });

  it('after our own unsubscribe, an older report that the lead was subscribed is no change; a newer one is', () => {
    const ledger = registered();
    ledger.accept(ev({ kind: 'unsubscribe' }), T0 + 10);
    drain(ledger, T0 + 10);
    assert.equal(ledger.view(false).subscription.unsubscribedFromAll, true);
    report(ledger, hubspot(props({ hs_email_optout: 'false' }, T0 + 5, { source: 'POLL' })), T0 + 11);
    assert.equal(ledger.view(false).subscription.unsubscribedFromAll, true);
    assert.deepEqual(outbox(ledger), []);
    // A rep resubscribing the contact in HubSpot afterwards is news.
    report(ledger, hubspot(props({ hs_email_optout: 'false' }, T0 + 20), { eventId: 'rep' }), T0 + 21);
    assert.equal(ledger.view(false).subscription.unsubscribedFromAll, false);
    assert.deepEqual(
      outbox(ledger).map((d) => [d.id, d.changes]),
      [['rep:lead.resubscribed', { hs_email_optout: 'false' }]],
    );
  });

  it('a deletion of its contact inside HubSpot is told once; of another contact not at all', () => {
    const ledger = registered();
    report(ledger, hubspot(deletion(T0 + 1, false), { eventId: 'bin' }), T0 + 1);
    assert.deepEqual(outbox(ledger), [
      {
        id: 'bin:lead.deleted',
        type: 'lead.deleted',
        portalId: '42',
        email,
        hubspotId: CONTACT,
        changes: {},
        source: 'hubspot',
        occurredAt: iso(T0 + 1),
        gdpr: false,
      },
    ]);
    let view = ledger.view(false);
    assert.equal(view.hubspot.deleted, true);
    assert.equal(view.hubspotId, CONTACT, 'kept, so a later deletion report still finds the lead');
    assert.equal(view.deleted, false, 'the lead itself is not forgotten');
    assert.equal(view.properties.firstname, 'Ada');
    report(ledger, hubspot(deletion(T0 + 2, false)), T0 + 2);
    report(ledger, hubspot(deletion(T0 + 3, false, '902')), T0 + 3);
    assert.equal(outbox(ledger).length, 1);
    // The backend's next write creates the contact again.
    ledger.accept(update({ jobtitle: 'Analyst' }), T0 + 4);
    drain(ledger, T0 + 4, '903');
    view = ledger.view(false);
    assert.equal(view.hubspot.deleted, false);
    assert.equal(view.hubspotId, '903');
  });

  it('a privacy deletion inside HubSpot is told, and the lead forgets only once the backend took it', () => {
    const ledger = registered();
    report(ledger, hubspot(deletion(T0 + 1, true), { eventId: 'gdpr' }), T0 + 1);
    const [told] = outbox(ledger);
    assert.equal(told?.id, 'gdpr:lead.deleted');
    assert.equal(told.type, 'lead.deleted');
    assert.equal(told.gdpr, true);
    assert.equal(ledger.wasForgotten, false);
    assert.equal(ledger.view(false).properties.firstname, 'Ada', 'kept until the backend was told');
    ledger.delivered(told.id, T0 + 4);
    assert.equal(ledger.wasForgotten, false, 'the next next() forgets, not the delivery itself');
    assert.equal(ledger.hasWork(), true);
    assert.equal(ledger.next(T0 + 4), undefined);
    assert.equal(ledger.wasForgotten, true);
    const view = ledger.view(false);
    assert.equal(view.deleted, true);
    assert.deepEqual(view.properties, {});
    assert.equal(view.hubspotId, undefined);
    assert.deepEqual(view.deliveries.failed, []);
    assert.deepEqual(view.deliveries.pending, []);
    assert.doesNotMatch(JSON.stringify(ledger.snapshot()), /Ada/);
  });

  it('a privacy deletion the backend refuses for good still forgets the lead: its data may not stay', () => {
    const ledger = registered();
    report(ledger, hubspot(deletion(T0 + 1, true), { eventId: 'gdpr' }), T0 + 1);
    ledger.accept(update({ lastname: 'Behind' }), T0 + 1);
    const [told] = outbox(ledger);
    assert.equal(ledger.next(T0 + 1), undefined, 'nothing queued behind it goes to HubSpot meanwhile');
    assert.equal(ledger.hasWork(), false);
    ledger.deliveryFailed(told!.id, { errorType: FailureType.BackendRejected, message: '410' }, T0 + 2);
    assert.equal(ledger.hasWork(), true);
    assert.equal(ledger.next(T0 + 2), undefined);
    assert.equal(ledger.wasForgotten, true);
    assert.doesNotMatch(JSON.stringify(ledger.snapshot()), /Ada/);
    assert.equal(ledger.hasSuccessorWork(), true, 'the backend’s update starts a new lead');
  });

  it('a privacy deletion nobody is to be told of forgets the lead at once', () => {
    const ledger = registered();
    ledger.accept(hubspot(deletion(T0 + 1, true), { deliver: false }), T0 + 1);
    ledger.accept(update({ lastname: 'New' }), T0 + 1);
    assert.equal(ledger.next(T0 + 1), undefined, 'the run ends; what is queued behind belongs to a successor');
    assert.equal(ledger.wasForgotten, true);
    assert.deepEqual(ledger.view(false).properties, {});
    assert.equal(ledger.view(false).hubspotId, undefined);
    assert.deepEqual(outbox(ledger), []);
    assert.deepEqual(
      drain(ledger.successor(T0 + 2)).map((s) => s.kind === 'write' && s.properties),
      [{ lastname: 'New' }],
    );
  });

  it('a privacy deletion the backend took just before a continue-as-new is still carried out by the next run', () => {
    const ledger = registered();
    report(ledger, hubspot(deletion(T0 + 1, true), { eventId: 'gdpr-can' }), T0 + 1);
    ledger.delivered('gdpr-can:lead.deleted', T0 + 2);
    const next = LeadLedger.restore(ledger.snapshot());
    assert.equal(next.hasWork(), true, 'the forgetting is still owed');
    assert.equal(next.next(T0 + 3), undefined);
    assert.equal(next.wasForgotten, true);
    assert.deepEqual(next.view(false).properties, {});
  });

  it('a merge of its contact into another moves the lead to the surviving contact', () => {
    const ledger = registered();
    const merged = (contactId: string, mergedIds: string[], at: number): HubSpotChange => ({
      type: 'merged',
      contactId,
      mergedIds,
      occurredAt: at,
      source: 'CRM_UI',
    });
    report(ledger, hubspot(merged('950', ['800', '801'], T0 + 1)), T0 + 1);
    assert.equal(ledger.view(false).hubspotId, CONTACT, 'a merge of other contacts');
    report(ledger, hubspot(merged(CONTACT, ['800'], T0 + 2)), T0 + 2);
    assert.equal(ledger.view(false).hubspotId, CONTACT, 'another contact merged into this one');
    assert.deepEqual(outbox(ledger), []);
    report(ledger, hubspot(merged('960', ['800', CONTACT], T0 + 3), { eventId: 'merge' }), T0 + 3);
    assert.equal(ledger.view(false).hubspotId, '960');
    assert.deepEqual(
      outbox(ledger).map((d) => [d.id, d.type, d.hubspotId, d.changes]),
      [['merge:lead.updated', 'lead.updated', '960', { hs_object_id: '960' }]],
    );
  });

  it('adopts a contact created in HubSpot when it has none, and ignores other contacts', () => {
    const ledger = fresh();
    report(ledger, hubspot(props({ email, firstname: 'Ada' }, T0 + 1, { contactId: '777', created: true })), T0 + 1);
    const view = ledger.view(false);
    assert.equal(view.hubspotId, '777');
    assert.equal(view.properties.firstname, 'Ada');
    assert.deepEqual(
      outbox(ledger).map((d) => [d.type, d.hubspotId, d.changes]),
      [['lead.updated', '777', { firstname: 'Ada', hs_object_id: '777' }]],
    );

    const other = registered();
    report(other, hubspot(props({ firstname: 'Eve' }, T0 + 1, { contactId: '778', created: true })), T0 + 1);
    assert.equal(other.view(false).hubspotId, CONTACT);
    assert.equal(other.view(false).properties.firstname, 'Ada');
    assert.deepEqual(outbox(other), []);
  });

  it('a lead whose contact HubSpot deleted adopts a new one made in HubSpot', () => {
    const ledger = registered();
    report(ledger, hubspot(deletion(T0 + 1, false)), T0 + 1);
    report(ledger, hubspot(props({ email }, T0 + 2, { contactId: '779', created: true })), T0 + 2);
    const view = ledger.view(false);
    assert.equal(view.hubspotId, '779');
    assert.equal(view.hubspot.deleted, false);
    assert.deepEqual(outbox(ledger).at(-1)?.changes, { hs_object_id: '779' });
  });

  it('the email property: the lead’s own address is no news, a new one is', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ email: 'Ada@Example.com', firstname: 'Ada' }, T0 + 1, { source: 'POLL' })), T0 + 1);
    assert.deepEqual(outbox(ledger), []);
    report(ledger, hubspot(props({ email: 'ada.l@example.com' }, T0 + 2)), T0 + 2);
    assert.deepEqual(
      outbox(ledger).map((d) => [d.type, d.changes]),
      [['lead.updated', { email: 'ada.l@example.com' }]],
    );
    assert.equal(ledger.view(false).email, email, 'the lead is its address');
  });

  it('a new email HubSpot reports again in a later poll is not told a second time', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ email: 'ada.l@example.com' }, T0 + 2)), T0 + 2);
    report(
      ledger,
      hubspot(props({ email: 'ada.l@example.com', firstname: 'Ada', city: 'Paris' }, T0 + 3, { source: 'POLL' })),
      T0 + 3,
    );
    assert.deepEqual(
      outbox(ledger).map((d) => d.changes),
      [{ email: 'ada.l@example.com' }, { city: 'Paris' }],
    );
  });

  it('deliveries go oldest first; delivered, failed and retried ones are counted and shown', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ city: 'Paris' }, T0 + 1), { eventId: 'd-1' }), T0 + 1);
    report(ledger, hubspot(props({ city: 'Rome' }, T0 + 2), { eventId: 'd-2' }), T0 + 2);
    report(ledger, hubspot(props({ city: 'Oslo' }, T0 + 3), { eventId: 'd-3' }), T0 + 3);
    assert.deepEqual(
      ledger.view(false).deliveries.pending.map((d) => d.id),
      ['d-1:lead.updated', 'd-2:lead.updated', 'd-3:lead.updated'],
    );
    assert.equal(ledger.view(false).status, 'synced', 'deliveries waiting are not the lead’s pending events');
    assert.equal(ledger.nextDelivery()?.id, 'd-1:lead.updated');
    ledger.delivered('d-1:lead.updated', T0 + 4);
    assert.equal(ledger.view(false).deliveries.delivered, 1);
    assert.equal(ledger.nextDelivery()?.id, 'd-2:lead.updated');
    ledger.deliveryFailed('d-2:lead.updated', { errorType: FailureType.BackendRejected, message: '400' }, T0 + 5);
    let view = ledger.view(false);
    assert.equal(view.status, 'failed');
    assert.deepEqual(
      view.deliveries.failed.map((f) => [f.delivery.id, f.errorType, f.message, f.failedAt]),
      [['d-2:lead.updated', FailureType.BackendRejected, '400', iso(T0 + 5)]],
    );
    assert.equal(ledger.nextDelivery()?.id, 'd-3:lead.updated');
    assert.equal(ledger.retryFailed(['d-2:lead.updated'], T0 + 6), 1);
    assert.equal(ledger.nextDelivery()?.id, 'd-2:lead.updated', 'back first in line');
    assert.equal(ledger.view(false).status, 'synced');
    ledger.delivered('d-2:lead.updated', T0 + 7);
    ledger.delivered('d-3:lead.updated', T0 + 7);
    ledger.delivered('unknown:lead.updated', T0 + 7);
    view = ledger.view(false);
    assert.equal(view.deliveries.delivered, 3);
    assert.deepEqual(view.deliveries.pending, []);
    assert.equal(ledger.nextDelivery(), undefined);
  });

  it('a change nobody is to be told of still updates the lead, with no delivery', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ firstname: 'Grace', hs_email_optout: 'true' }, T0 + 1), { deliver: false }), T0 + 1);
    report(ledger, hubspot(deletion(T0 + 2, false), { deliver: false }), T0 + 2);
    const view = ledger.view(false);
    assert.equal(view.properties.firstname, 'Grace');
    assert.equal(view.hubspot.properties.firstname, 'Grace');
    assert.equal(view.subscription.unsubscribedFromAll, true);
    assert.equal(view.hubspot.deleted, true);
    assert.deepEqual(view.deliveries.pending, []);
    assert.equal(ledger.nextDelivery(), undefined);
  });

  it('a change nobody is to be told of still stamps when HubSpot last changed the lead', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ firstname: 'Grace' }, T0 + 1), { deliver: false }), T0 + 1);
    assert.equal(ledger.view(false).hubspot.lastChangeAt, iso(T0 + 1));
    assert.equal(ledger.view(false).updatedAt, iso(T0 + 1));
  });

  it('delivery ids are the HubSpot event id and the delivery type: the same change gives the same ids', () => {
    const change = props({ jobtitle: 'Analyst', hs_email_optout: 'true' }, T0 + 1);
    const ids = [registered(), registered()].map((ledger) => {
      report(ledger, hubspot(change, { eventId: 'wh-55' }), T0 + 1);
      return outbox(ledger).map((d) => d.id);
    });
    assert.deepEqual(ids[0], ['wh-55:lead.updated', 'wh-55:lead.unsubscribed']);
    assert.deepEqual(ids[1], ids[0]);
  });

  it('drops a HubSpot event whose id it has seen', () => {
    const ledger = registered();
    assert.equal(ledger.accept(hubspot(props({ city: 'Paris' }, T0 + 1), { eventId: 'again' }), T0), 'queued');
    assert.equal(ledger.accept(hubspot(props({ city: 'Rome' }, T0 + 2), { eventId: 'again' }), T0), 'duplicate');
    ledger.next(T0 + 2);
    assert.equal(ledger.view(false).properties.city, 'Paris');
    assert.equal(outbox(ledger).length, 1);
  });

  it('a snapshot carries the outbox, failed deliveries, the HubSpot side and the change times', () => {
    const ledger = registered();
    report(ledger, hubspot(props({ city: 'Paris', hs_email_optout: 'true' }, T0 + 10), { eventId: 's-1' }), T0 + 10);
    report(ledger, hubspot(props({ jobtitle: 'Analyst' }, T0 + 11), { eventId: 's-2' }), T0 + 11);
    ledger.delivered('s-1:lead.updated', T0 + 12);
    ledger.deliveryFailed('s-1:lead.unsubscribed', { errorType: FailureType.BackendRejected, message: '422' }, T0 + 12);
    const restored = LeadLedger.restore(JSON.parse(JSON.stringify(ledger.snapshot())) as LeadRecord);
    assert.deepEqual(restored.view(false), ledger.view(false));
    const view = restored.view(false);
    assert.deepEqual(
      view.deliveries.pending.map((d) => d.id),
      ['s-2:lead.updated'],
    );
    assert.deepEqual(
      view.deliveries.failed.map((f) => f.delivery.id),
      ['s-1:lead.unsubscribed'],
    );
    assert.equal(view.deliveries.delivered, 1);
    assert.equal(view.hubspot.subscription.unsubscribedFromAll, true);
    assert.equal(view.hubspot.properties.city, 'Paris');
    // The change times came along: an older report is still older after the restore.
    report(restored, hubspot(props({ city: 'Rome' }, T0 + 5)), T0 + 13);
    assert.equal(restored.view(false).properties.city, 'Paris');
    assert.equal(restored.retryFailed(['s-1:lead.unsubscribed'], T0 + 14), 1);
    assert.equal(restored.nextDelivery()?.id, 's-1:lead.unsubscribed');
  });

  it('restores a record from before two-way sync, and takes HubSpot changes from then on', () => {
    const ledger = registered();
    const old = JSON.parse(JSON.stringify(ledger.snapshot())) as Partial<LeadRecord>;
    delete old.changedAt;
    delete old.hubspot;
    delete old.outbox;
    delete old.failedDeliveries;
    delete old.delivered;
    const restored = LeadLedger.restore(old as LeadRecord);
    let view = restored.view(false);
    assert.equal(view.properties.firstname, 'Ada');
    assert.deepEqual(view.hubspot, {
      properties: {},
      subscription: { unsubscribedFromAll: false, unsubscribed: [] },
      deleted: false,
    });
    assert.deepEqual(view.deliveries, { pending: [], failed: [], delivered: 0 });
    report(restored, hubspot(props({ firstname: 'Grace' }, T0 + 1)), T0 + 1);
    view = restored.view(false);
    assert.equal(view.properties.firstname, 'Grace');
    assert.equal(view.deliveries.pending.length, 1);
    assert.equal(restored.snapshot().changedAt.firstname, T0 + 1);
  });

  it('refuses a hand-sent HubSpot event without a change or a contact id', () => {
    const ledger = registered();
    assert.equal(ledger.accept(raw(undefined), T0), 'malformed');
    assert.equal(ledger.accept(raw(null), T0), 'malformed');
    assert.equal(ledger.accept(raw({ type: 'deleted', occurredAt: T0, source: 'X', gdpr: true }), T0), 'malformed');
    assert.equal(ledger.accept(raw({ type: 'renamed', contactId: CONTACT, occurredAt: T0 }), T0), 'malformed');
    assert.equal(ledger.accept(raw({ type: 'deleted', contactId: CONTACT, source: 'X', gdpr: true }), T0), 'malformed');
    assert.equal(ledger.hasWork(), false);
    assert.equal(ledger.view(false).hubspotId, CONTACT);
    // The same shapes, whole, are taken.
    assert.equal(ledger.accept(raw(deletion(T0 + 1, false)), T0), 'queued');
  });

  it('refuses a hand-sent properties change without its properties instead of tripping over it', () => {
    const ledger = registered();
    const change = { type: 'properties', contactId: CONTACT, occurredAt: T0 + 1, source: 'X' };
    assert.equal(ledger.accept(raw(change), T0), 'malformed');
    assert.doesNotThrow(() => ledger.next(T0 + 1));
  });

  it('refuses a hand-sent merge without its merged ids instead of tripping over it', () => {
    const ledger = registered();
    const change = { type: 'merged', contactId: '960', occurredAt: T0 + 1, source: 'X' };
    assert.equal(ledger.accept(raw(change), T0), 'malformed');
    assert.doesNotThrow(() => ledger.next(T0 + 1));
  });

  it('a poll of the lead’s own write takes in what HubSpot held before, and tells the backend nothing', () => {
    const ledger = registered();
    // The contact existed in HubSpot with a company; our register (at T0) bumped its lastmodifieddate.
    report(ledger, hubspot(props({ firstname: 'Ada', company: 'Acme' }, T0, { source: 'POLL' })), T0 + 1);
    assert.deepEqual(outbox(ledger), []);
    assert.equal(ledger.view(false).properties.company, 'Acme');
    // A later change, seen by the next poll, is news.
    report(ledger, hubspot(props({ firstname: 'Ada', company: 'Initech' }, T0 + 5, { source: 'POLL' })), T0 + 6);
    assert.deepEqual(
      outbox(ledger).map((d) => d.changes),
      [{ company: 'Initech' }],
    );
  });

  it('records an opt-out as HubSpot’s own only when a person made it there, or when it moved the lead', () => {
    const ownEcho = registered();
    ownEcho.accept(ev({ kind: 'unsubscribe' }), T0 + 1);
    drain(ownEcho, T0 + 1);
    // A later poll (after another write bumped the contact) still shows our own opt-out: no HubSpot opt-out.
    report(ownEcho, hubspot(props({ hs_email_optout: 'true' }, T0 + 10, { source: 'POLL' })), T0 + 10);
    assert.equal(ownEcho.view(false).hubspot.subscription.unsubscribedFromAll, false);
    ownEcho.accept(ev({ kind: 'resubscribe' }), T0 + 11);
    assert.equal(ownEcho.next(T0 + 11)?.kind, 'resubscribe', 'the backend may undo its own opt-out');

    const person = registered();
    person.accept(ev({ kind: 'unsubscribe' }), T0 + 1);
    drain(person, T0 + 1);
    // The person also clicked the footer link inside HubSpot: that opt-out is theirs, and sticks.
    report(person, hubspot(props({ hs_email_optout: 'true' }, T0 + 10, { source: 'EMAIL' })), T0 + 10);
    assert.equal(person.view(false).hubspot.subscription.unsubscribedFromAll, true);
    assert.deepEqual(outbox(person), [], 'the lead was unsubscribed already: nothing new for the backend');
    person.accept(ev({ kind: 'resubscribe' }), T0 + 11);
    assert.equal(person.next(T0 + 11), undefined);
    assert.equal(person.view(false).failed[0]?.errorType, FailureType.InvalidInput);
  });
});
