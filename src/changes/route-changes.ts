import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { log } from '@temporalio/activity';
import { MAX_BATCH_INPUTS } from '../hubspot/contacts.js';
import { withPortalAuth } from '../portals/portal-auth.js';
import type { PortalSession } from '../portals/portal-session.js';
import type { InboundChange, RouteResult } from '../shared/change-types.js';
import { leadWorkflowId, normalizeEmail } from '../shared/ids.js';
import type { LeadEvent } from '../shared/lead-types.js';
import { leadEventSignal } from '../shared/messages.js';
import { HubSpotContactId, LeadEmail } from '../shared/search-attributes.js';

const SIGNALS_IN_FLIGHT = 8;
/** HubSpot's record ids (and hub ids): the only values let into a visibility query. */
const RECORD_ID = /^\d{1,20}$/;

export interface RouteDeps {
  client: Client;
  portal: PortalSession;
}

/**
 * Hands each change to its lead's workflow, by signal (never signal-with-start: a contact that is no lead of ours
 * is logged and dropped). A contact id leads to its lead through the lead's `HubSpotContactId` search attribute,
 * which a lead keeps after HubSpot deleted the contact, so a deletion can still be routed; a contact the index
 * does not know yet (visibility lags a write by a moment, or the contact was made in HubSpot) is read from
 * HubSpot for its email.
 */
export async function routeChanges(deps: RouteDeps, changes: InboundChange[], deliver: boolean): Promise<RouteResult> {
  const ids = [...new Set(changes.flatMap(contactIdsOf))];
  const byContact = await leadsOfContacts(deps.client, deps.portal.portalId, ids);
  const unknown = ids.filter(
    (id) => !byContact.has(id) && !changes.some((c) => c.email && contactIdsOf(c).includes(id)),
  );
  for (const [id, email] of await emailsFromHubSpot(deps.portal, unknown)) byContact.set(id, [email]);

  const receivedAt = new Date().toISOString();
  const inOrder = [...changes].sort((a, b) => a.change.occurredAt - b.change.occurredAt);
  const deliveries = inOrder.flatMap((change) => {
    const emails = new Set(contactIdsOf(change).flatMap((id) => byContact.get(id) ?? []));
    // By contact first: a poll's email is HubSpot's current one, which a rep may have changed from the lead's.
    if (emails.size === 0 && change.email) emails.add(normalizeEmail(change.email));
    return [...emails].map((email) => ({ change, email }));
  });
  let routed = 0;
  const missed = new Set(changes.filter((c) => !deliveries.some((d) => d.change === c)));
  // One lead's changes go in order (the batch is sorted by time); different leads' go side by side.
  const byLead = new Map<string, InboundChange[]>();
  for (const { change, email } of deliveries) {
    const list = byLead.get(email) ?? [];
    list.push(change);
    byLead.set(email, list);
  }
  await inParallel([...byLead], SIGNALS_IN_FLIGHT, async ([email, list]) => {
    const handle = deps.client.workflow.getHandle(leadWorkflowId(deps.portal.portalId, email));
    for (const change of list) {
      const event: LeadEvent = {
        kind: 'hubspot',
        eventId: change.eventId,
        email,
        receivedAt,
        change: change.change,
        deliver,
      };
      try {
        await handle.signal(leadEventSignal, event);
        routed += 1;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        missed.add(change);
      }
    }
  });
  for (const change of missed) {
    log.info('HubSpot change for a contact that is no lead here; dropped', {
      contactId: change.change.contactId,
      type: change.change.type,
    });
  }
  return { routed, unrouted: missed.size };
}

function contactIdsOf(change: InboundChange): string[] {
  return change.change.type === 'merged'
    ? [change.change.contactId, ...change.change.mergedIds]
    : [change.change.contactId];
}

/** Running leads of the portal whose contact is one of `ids`, by the search attribute each lead keeps. */
async function leadsOfContacts(client: Client, portalId: string, ids: string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const safe = ids.filter((id) => RECORD_ID.test(id));
  if (safe.length === 0 || !RECORD_ID.test(portalId)) return found;
  const query =
    `WorkflowType = 'leadSync' AND ExecutionStatus = 'Running' AND HubSpotPortal = '${portalId}' ` +
    `AND HubSpotContactId IN (${safe.map((id) => `'${id}'`).join(', ')})`;
  for await (const execution of client.workflow.list({ query })) {
    const contactId = execution.typedSearchAttributes.get(HubSpotContactId);
    const email = execution.typedSearchAttributes.get(LeadEmail);
    if (contactId === undefined || email === undefined) continue;
    found.set(contactId, [...(found.get(contactId) ?? []), email]);
  }
  return found;
}

/** Emails of contacts HubSpot still has; deleted ones are simply absent. */
async function emailsFromHubSpot(portal: PortalSession, ids: string[]): Promise<Map<string, string>> {
  const emails = new Map<string, string>();
  for (let i = 0; i < ids.length; i += MAX_BATCH_INPUTS) {
    const chunk = ids.slice(i, i + MAX_BATCH_INPUTS);
    const contacts = await withPortalAuth(portal, () => portal.contacts.batchRead(chunk, ['email']));
    for (const contact of contacts) {
      const email = contact.properties.email;
      if (email) emails.set(contact.id, normalizeEmail(email));
    }
  }
  return emails;
}

async function inParallel<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}
