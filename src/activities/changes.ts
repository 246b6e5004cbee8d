import type { Client } from '@temporalio/client';
import { modifiedAt, pollContacts } from '../changes/poll-contacts.js';
import { routeChanges } from '../changes/route-changes.js';
import type { PortalSessions } from '../portals/portal-session.js';
import {
  ROUTE_BATCH,
  type InboundChange,
  type PollCursor,
  type PollResult,
  type RouteResult,
} from '../shared/change-types.js';
import { classified } from './failures.js';

export interface ChangeActivityDeps {
  client: Client;
  portal: PortalSessions;
}

/** Searches per poll activity: HubSpot's search limit (5/s per account) is shared with everything else. */
const SEARCH_CALLS_PER_POLL = 5;

/** The activities of a portal's change feed: routing what HubSpot reported, and polling where it reports nothing. */
export function createChangeActivities(deps: ChangeActivityDeps) {
  return {
    /** Signals each change to its lead's workflow; contacts that are no lead here are dropped. */
    async routeChanges(input: { portalId: string; changes: InboundChange[]; deliver: boolean }): Promise<RouteResult> {
      return classified(() =>
        routeChanges({ client: deps.client, portal: deps.portal(input.portalId) }, input.changes, input.deliver),
      );
    },

    /**
     * One step of the poll: contacts modified since the cursor, each reported to its lead as a snapshot of the
     * polled properties. A crash after routing polls the same contacts again; the leads drop the repeats.
     */
    async pollChanges(input: {
      portalId: string;
      cursor?: PollCursor;
      settleMs: number;
      properties: string[];
      deliver: boolean;
    }): Promise<PollResult> {
      return classified(async () => {
        const portal = deps.portal(input.portalId);
        const page = await pollContacts(portal, {
          cursor: input.cursor,
          settleMs: input.settleMs,
          properties: input.properties,
          maxCalls: SEARCH_CALLS_PER_POLL,
          now: Date.now(),
        });
        const changes: InboundChange[] = page.contacts.map((contact) => {
          const at = modifiedAt(contact);
          const properties = Object.fromEntries(
            input.properties.map((name) => [name, contact.properties[name] ?? null]),
          );
          return {
            eventId: `poll:${contact.id}:${at}`,
            email: contact.properties.email ?? undefined,
            change: { type: 'properties', contactId: contact.id, properties, occurredAt: at, source: 'POLL' },
          };
        });
        const result: RouteResult = { routed: 0, unrouted: 0 };
        for (let i = 0; i < changes.length; i += ROUTE_BATCH) {
          const routed = await routeChanges(
            { client: deps.client, portal },
            changes.slice(i, i + ROUTE_BATCH),
            input.deliver,
          );
          result.routed += routed.routed;
          result.unrouted += routed.unrouted;
        }
        return { ...result, cursor: page.cursor, more: page.more, searchCalls: page.searchCalls, seen: changes.length };
      });
    },
  };
}

export type ChangeActivities = ReturnType<typeof createChangeActivities>;
