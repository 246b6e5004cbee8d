import type { BackendDelivery, DeliveryType } from '../shared/delivery-types.js';
import type { HubSpotChange, LeadEvent, LeadRecord } from '../shared/lead-types.js';
import { optOutOf } from '../shared/opt-out-properties.js';

type HubSpotEvent = Extract<LeadEvent, { kind: 'hubspot' }>;

/** HubSpot's own bookkeeping: it changes on every write, ours included, and tells the backend nothing. */
const BOOKKEEPING = new Set(['lastmodifieddate', 'hs_lastmodifieddate', 'createdate', 'hs_object_id']);

export function emptyHubSpotSide(): LeadRecord['hubspot'] {
  return { properties: {}, subscription: { unsubscribedFromAll: false, unsubscribed: [] }, deleted: false };
}

export interface InboundOutcome {
  deliveries: BackendDelivery[];
  /** A privacy deletion: the lead forgets everything once the backend was told (at once when nobody is told). */
  forget: boolean;
}

/** No change for this lead: an echo, an older value, another contact's news. */
const nothing = (): InboundOutcome => ({ deliveries: [], forget: false });

/**
 * Applies one change reported by HubSpot to the lead's record and says what the backend must be told. Echoes are
 * no changes: a value the lead already holds (what it last wrote, or what HubSpot reported before) is dropped, and
 * so is one older than the newest value known for that property, which HubSpot itself has already overwritten.
 */
export function applyInbound(r: LeadRecord, event: HubSpotEvent, now: number): InboundOutcome {
  const { change } = event;
  const ours = r.hubspotId;

  switch (change.type) {
    case 'merged': {
      // A merge of other contacts, or into this lead's own.
      if (ours === undefined || ours === change.contactId || !change.mergedIds.includes(ours)) return nothing();
      r.hubspotId = change.contactId;
      touchHubSpot(r, change, now);
      return { deliveries: deliveriesOf(r, event, 'lead.updated', { hs_object_id: change.contactId }), forget: false };
    }
    case 'deleted': {
      if (ours !== change.contactId) return nothing(); // a deletion of another contact
      if (change.gdpr) {
        touchHubSpot(r, change, now);
        const deliveries = deliveriesOf(r, event, 'lead.deleted', {}, { gdpr: true });
        return { deliveries, forget: true };
      }
      if (r.hubspot.deleted) return nothing(); // already deleted in HubSpot
      r.hubspot.deleted = true;
      touchHubSpot(r, change, now);
      return { deliveries: deliveriesOf(r, event, 'lead.deleted', {}, { gdpr: false }), forget: false };
    }
    case 'properties':
      return applyProperties(r, event, change, now);
  }
}

/**
 * What the backend is told of one change, when it wants to be told. The id is the HubSpot event's id at this lead
 * plus the type: stable across redeliveries, so the backend can drop repeats.
 */
function deliveriesOf(
  r: LeadRecord,
  event: HubSpotEvent,
  type: DeliveryType,
  changes: BackendDelivery['changes'],
  extra: Partial<BackendDelivery> = {},
): BackendDelivery[] {
  if (!event.deliver) return [];
  return [
    {
      id: `${event.eventId}:${type}`,
      type,
      portalId: r.portalId,
      email: r.email,
      hubspotId: r.hubspotId,
      changes,
      source: 'hubspot',
      occurredAt: iso(event.change.occurredAt),
      ...extra,
    },
  ];
}

function applyProperties(
  r: LeadRecord,
  event: HubSpotEvent,
  change: Extract<HubSpotChange, { type: 'properties' }>,
  now: number,
): InboundOutcome {
  const adopt = r.hubspotId === undefined || r.hubspot.deleted;
  if (r.hubspotId !== change.contactId && !adopt) return nothing(); // a change of another contact
  const adopted = r.hubspotId !== change.contactId;
  if (adopted) {
    r.hubspotId = change.contactId;
    r.hubspot.deleted = false;
  }
  let changed = adopted;
  // A poll's snapshot taken no later than the lead's own last write shows that write, and what HubSpot held before
  // it: the lead takes the values in, but none of it is a change made inside HubSpot.
  const baseline = change.source === 'POLL' && change.occurredAt <= (r.lastWriteAt ?? -Infinity);
  // An opt-out a person or a user made inside HubSpot; an integration's (ours included) or a poll's may be the echo
  // of the backend's own unsubscribe.
  const madeInHubSpot = !['INTEGRATION', 'POLL', 'UNKNOWN'].includes(change.source);
  const updated: BackendDelivery['changes'] = {};
  const unsubscribed: BackendDelivery['changes'] = {};
  const resubscribed: BackendDelivery['changes'] = {};
  for (const [name, value] of Object.entries(change.properties)) {
    if (BOOKKEEPING.has(name) || change.occurredAt <= (r.changedAt[name] ?? -Infinity)) continue;
    const optOut = optOutOf(name);
    if (optOut) {
      const moved = applyOptOut(r, optOut.subscriptionId, value === 'true', madeInHubSpot);
      if (moved === 'unsubscribed') unsubscribed[name] = value;
      if (moved === 'resubscribed') resubscribed[name] = value;
      changed ||= moved !== undefined;
    } else if (name === 'email') {
      // The lead is its address: a new one in HubSpot is news for the backend (once), not a property to write back.
      const known = r.hubspot.properties.email ?? r.email;
      if (value !== null && value.toLowerCase() !== known.toLowerCase()) {
        r.hubspot.properties.email = value;
        updated[name] = value;
        changed = true;
      }
    } else if ((r.properties[name] ?? null) !== value) {
      if (value === null) delete r.properties[name];
      else r.properties[name] = value;
      r.hubspot.properties[name] = value;
      updated[name] = value;
      changed = true;
    }
    r.changedAt[name] = change.occurredAt;
    // An operator's replay of an older failed write must not undo what HubSpot now holds.
    r.writtenAt[name] = Math.max(r.writtenAt[name] ?? 0, event.seq ?? 0);
  }
  if (adopted) updated.hs_object_id = change.contactId;
  if (!changed) return nothing(); // no value differs from what the lead holds (an echo)
  touchHubSpot(r, change, now);
  if (baseline) return nothing();
  const tell = (type: DeliveryType, changes: BackendDelivery['changes']) =>
    Object.keys(changes).length > 0 ? deliveriesOf(r, event, type, changes) : [];
  const deliveries = [
    ...tell('lead.updated', updated),
    ...tell('lead.unsubscribed', unsubscribed),
    ...tell('lead.resubscribed', resubscribed),
  ];
  return { deliveries, forget: false };
}

/**
 * Moves the lead's subscription state as HubSpot reports it, and records the opt-out as HubSpot's own (only a
 * resubscribe with a legal basis undoes that) when it moved the lead, or when a person made it inside HubSpot
 * although the backend had already unsubscribed the lead. Says which way the lead's state moved, if at all.
 */
function applyOptOut(
  r: LeadRecord,
  id: string | undefined,
  optedOut: boolean,
  madeInHubSpot: boolean,
): 'unsubscribed' | 'resubscribed' | undefined {
  const before = id === undefined ? r.subscription.unsubscribedFromAll : r.subscription.unsubscribed.includes(id);
  const sides = before !== optedOut || madeInHubSpot ? [r.subscription, r.hubspot.subscription] : [r.subscription];
  for (const side of sides) {
    if (id === undefined) side.unsubscribedFromAll = optedOut;
    else {
      side.unsubscribed = side.unsubscribed.filter((s) => s !== id);
      if (optedOut) side.unsubscribed.push(id);
    }
  }
  if (before === optedOut) return undefined;
  return optedOut ? 'unsubscribed' : 'resubscribed';
}

function touchHubSpot(r: LeadRecord, change: HubSpotChange, now: number): void {
  r.hubspot.lastChangeAt = iso(change.occurredAt);
  r.updatedAt = iso(now);
}

const iso = (ms: number) => new Date(ms).toISOString();
