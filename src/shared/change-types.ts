import type { HubSpotChange } from './lead-types.js';

/** Changes routed per activity: one visibility query and at most one HubSpot batch read each. */
export const ROUTE_BATCH = 100;

/** A change HubSpot reported, on its way from the portal's change feed to the lead it belongs to. */
export interface InboundChange {
  /** The lead drops repeats by it: HubSpot's event id for webhooks; the contact and its modification time for polls. */
  eventId: string;
  /** Known when the source says (a poll's results); webhooks carry only the contact id. */
  email?: string;
  change: HubSpotChange;
}

/**
 * Where a portal's poll stands: every contact modified before `since`, and at `since` those with an id up to
 * `afterId`, has been seen. HubSpot's `lastmodifieddate` in epoch ms.
 */
export interface PollCursor {
  since: number;
  afterId?: string;
  /** Every contact at `since` is known to be seen: the next poll needs no search of that timestamp alone. */
  drained?: boolean;
}

export interface PollSettings {
  intervalMs: number;
  /** Search results lag HubSpot's writes by a few seconds: contacts modified more recently wait for the next poll. */
  settleMs: number;
  properties: string[];
}

/** What the service's configuration says to a portal's change feed; sent again at every start. */
export interface ChangeFeedSettings {
  /** Absent: webhooks only. */
  poll?: PollSettings;
  /** Whether the backend wants deliveries (LEADSYNC_BACKEND_WEBHOOK_URL is set). */
  deliver: boolean;
}

export interface ChangeFeedInput {
  portalId: string;
  settings: ChangeFeedSettings;
  cursor?: PollCursor;
  /** When the next poll is due (epoch ms), carried across continue-as-new so a new run does not poll early. */
  nextPollAt?: number;
  /** Changes received but not yet routed, carried across continue-as-new. */
  backlog?: InboundChange[];
  /** Continue-as-new at this history length even before the server suggests it (tests use a small one). */
  continueAsNewAfterEvents?: number;
}

export interface ChangeFeedState {
  portalId: string;
  polling: boolean;
  cursor?: PollCursor;
  backlog: number;
  received: number;
  routed: number;
  /** Changes for contacts that are no lead of this service (or are gone): logged and dropped. */
  unrouted: number;
  polls: number;
  searchCalls: number;
  lastPollAt?: string;
}

export interface RouteResult {
  routed: number;
  unrouted: number;
}

export interface PollResult extends RouteResult {
  cursor: PollCursor;
  /** True when the search had more than one call's worth: poll again at once. */
  more: boolean;
  searchCalls: number;
  seen: number;
}
