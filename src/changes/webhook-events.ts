import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { InboundChange } from '../shared/change-types.js';
import type { HubSpotChange } from '../shared/lead-types.js';

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);

/** One element of HubSpot's webhook array; fields this service does not use are let through and ignored. */
const webhookEvent = z.looseObject({
  eventId: id,
  subscriptionId: id.optional(),
  portalId: id,
  appId: id.optional(),
  sourceId: z.string().max(200).optional(),
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z.string().min(1).max(100),
  objectTypeId: z.string().optional(),
  objectId: id,
  propertyName: z.string().max(200).optional(),
  propertyValue: z.string().max(65_536).nullable().optional(),
  changeSource: z.string().max(100).optional(),
  primaryObjectId: id.optional(),
  mergedObjectIds: z.array(id).max(1_000).optional(),
  newObjectId: id.optional(),
});

type WebhookEvent = z.infer<typeof webhookEvent>;

export interface ParsedBatch {
  /** Per portal, oldest first: HubSpot does not promise any order. */
  byPortal: Map<string, InboundChange[]>;
  /** Events this service does not handle, with why: logged and acknowledged, so HubSpot stops retrying them. */
  ignored: Array<{ index: number; reason: string }>;
  /** Events HubSpot says this app itself caused: the leads' own writes coming back, dropped before any routing. */
  echoes: number;
}

/**
 * HubSpot's batch (a JSON array of up to 100 events) as changes for the leads. Legacy `contact.*` types and the
 * newer `object.*` ones for contacts (object type `0-1`) read the same.
 */
export function parseWebhookBatch(body: unknown): ParsedBatch | { error: string } {
  if (!Array.isArray(body)) return { error: 'the body must be a JSON array of HubSpot webhook events' };
  const pending = new Map<string, Array<{ change: HubSpotChange; keys: string[] }>>();
  // One edit in HubSpot (a rep saving a form, an opt-out of all email, a contact created with its values) arrives
  // as one event per property with one timestamp: it is one change for the backend.
  const edits = new Map<string, { change: Extract<HubSpotChange, { type: 'properties' }>; keys: string[] }>();
  const ignored: ParsedBatch['ignored'] = [];
  let echoes = 0;
  body.forEach((raw, index) => {
    const parsed = webhookEvent.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      ignored.push({ index, reason: `${issue?.path.join('.') || '(event)'}: ${issue?.message ?? 'invalid'}` });
      return;
    }
    const change = changeOf(parsed.data);
    if (!change) {
      ignored.push({ index, reason: `subscriptionType ${parsed.data.subscriptionType} is not handled` });
      return;
    }
    const event = parsed.data;
    // Every write this app makes is a lead's own: HubSpot naming the app as the source is an echo. (Anything it
    // does not name so still meets the lead's own echo rules.)
    if (event.changeSource === 'INTEGRATION' && event.appId !== undefined && event.sourceId === event.appId) {
      echoes += 1;
      return;
    }
    // HubSpot's dedupe key: an event id alone is not promised to be unique.
    const key = `${event.subscriptionId ?? ''}:${event.eventId}:${event.objectId}:${event.occurredAt}`;
    const list = pending.get(event.portalId) ?? [];
    pending.set(event.portalId, list);
    if (change.type !== 'properties') {
      list.push({ change, keys: [key] });
      return;
    }
    const group = `${event.portalId}:${change.contactId}:${change.occurredAt}:${change.source}`;
    const edit = edits.get(group);
    if (edit) {
      Object.assign(edit.change.properties, change.properties);
      if (change.created) edit.change.created = true;
      edit.keys.push(key);
      return;
    }
    const entry = { change: { ...change, properties: { ...change.properties } }, keys: [key] };
    edits.set(group, entry);
    list.push(entry);
  });
  const byPortal = new Map<string, InboundChange[]>();
  for (const [portalId, list] of pending) {
    const changes = list.map(({ change, keys }) => ({ eventId: changeId(change, keys), change }));
    byPortal.set(
      portalId,
      changes.sort((a, b) => a.change.occurredAt - b.change.occurredAt),
    );
  }
  return { byPortal, ignored, echoes };
}

/** The same events (HubSpot retries a batch as it was) give the same id; short, whatever their number. */
function changeId(change: HubSpotChange, keys: string[]): string {
  if (keys.length === 1) return `hubspot:${keys[0]}`;
  const digest = createHash('sha256')
    .update([...keys].sort().join(','))
    .digest('hex')
    .slice(0, 16);
  return `hubspot:${change.contactId}:${change.occurredAt}:${digest}`;
}

function changeOf(event: WebhookEvent): HubSpotChange | undefined {
  const kind = eventKind(event);
  const common = { contactId: event.objectId, occurredAt: event.occurredAt, source: event.changeSource ?? 'UNKNOWN' };
  switch (kind) {
    case 'propertyChange':
      if (!event.propertyName) return undefined;
      return {
        type: 'properties',
        ...common,
        // HubSpot reports a cleared value as an empty string.
        properties: { [event.propertyName]: event.propertyValue ? event.propertyValue : null },
      };
    case 'creation':
      return { type: 'properties', ...common, properties: {}, created: true };
    case 'deletion':
      return { type: 'deleted', ...common, gdpr: false };
    case 'privacyDeletion':
      return { type: 'deleted', ...common, gdpr: true };
    case 'merge': {
      const survivor = event.newObjectId ?? event.primaryObjectId ?? event.objectId;
      const merged = [...(event.mergedObjectIds ?? []), event.objectId, event.primaryObjectId ?? survivor];
      return {
        type: 'merged',
        ...common,
        contactId: survivor,
        mergedIds: [...new Set(merged)].filter((m) => m !== survivor),
      };
    }
    default:
      return undefined;
  }
}

function eventKind(event: WebhookEvent): string | undefined {
  const [object, kind] = event.subscriptionType.split('.');
  if (object === 'contact') return kind;
  if (object === 'object' && event.objectTypeId === '0-1') return kind;
  return undefined;
}
