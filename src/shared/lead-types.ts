import type { BackendDelivery } from './delivery-types.js';

export type PropertyValue = string | number | boolean;
export type LeadProperties = Record<string, PropertyValue>;

export const LEGAL_BASES = [
  'CONSENT_WITH_NOTICE',
  'LEGITIMATE_INTEREST_CLIENT',
  'LEGITIMATE_INTEREST_OTHER',
  'LEGITIMATE_INTEREST_PQL',
  'NON_GDPR',
  'PERFORMANCE_OF_CONTRACT',
  'PROCESS_AND_STORE',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export interface SubscriptionChange {
  /** A HubSpot subscription type id; omitted means every email subscription (unsubscribe-all). */
  subscriptionId?: string;
  legalBasis?: LegalBasis;
  legalBasisExplanation?: string;
}

/**
 * A change HubSpot reported for a lead's contact (webhook or poll), as the change feed hands it to the lead. Times
 * are HubSpot's, in epoch ms.
 */
export type HubSpotChange =
  | {
      type: 'properties';
      contactId: string;
      /** New values; `null` when HubSpot cleared one. A poll reports the contact's current values. */
      properties: Record<string, string | null>;
      occurredAt: number;
      /** HubSpot's `changeSource` (`CRM_UI`, `EMAIL`, `INTEGRATION`, ...); `POLL` for a poll's snapshot. */
      source: string;
      /** A contact created in HubSpot (`contact.creation`): the lead may adopt it. */
      created?: boolean;
    }
  | { type: 'deleted'; contactId: string; occurredAt: number; source: string; gdpr: boolean }
  | { type: 'merged'; contactId: string; mergedIds: string[]; occurredAt: number; source: string };

export type LeadEventBody =
  | { kind: 'register'; properties: LeadProperties }
  | { kind: 'update'; properties: LeadProperties }
  | ({ kind: 'unsubscribe' } & SubscriptionChange)
  | ({ kind: 'resubscribe' } & SubscriptionChange)
  | { kind: 'delete' }
  | { kind: 'resync' }
  /** Reported by HubSpot; `deliver` says whether the backend wants to be told (a webhook URL is configured). */
  | { kind: 'hubspot'; change: HubSpotChange; deliver: boolean };

export type LeadEventKind = LeadEventBody['kind'];

export type LeadEvent = LeadEventBody & {
  eventId: string;
  email: string;
  /** ISO time the backend handed the event to us. */
  receivedAt: string;
  /** Arrival order inside the lead workflow; set by the workflow, not by callers. */
  seq?: number;
};

export type LeadSyncStatusName = 'pending' | 'synced' | 'failed' | 'blocked';

export interface FailedEvent {
  event: LeadEvent;
  errorType: string;
  message: string;
  failedAt: string;
}

export interface LeadSubscriptionState {
  unsubscribedFromAll: boolean;
  unsubscribed: string[];
}

export interface PendingEvent {
  eventId: string;
  kind: LeadEventKind;
  receivedAt: string;
  /** Being applied to HubSpot right now (or waiting, parked, for the connection to recover). */
  inFlight?: boolean;
}

export interface FailedDelivery {
  delivery: BackendDelivery;
  errorType: string;
  message: string;
  failedAt: string;
}

/** What HubSpot itself changed, as reported by webhooks or polling. */
export interface HubSpotSide {
  /** Properties HubSpot changed, with the values it reported. */
  properties: Record<string, string | null>;
  /** Opt-outs made inside HubSpot (email footer, a rep): only an explicit resubscribe with a legal basis undoes them. */
  subscription: LeadSubscriptionState;
  /** The contact was deleted (archived) in HubSpot; a later write from the backend creates it again. */
  deleted: boolean;
  lastChangeAt?: string;
}

/** What anyone may see of a lead: the `state` query's answer and `GET /v1/leads/{email}`. Never a token. */
export interface LeadState {
  email: string;
  portalId: string;
  status: LeadSyncStatusName;
  hubspotId?: string;
  /** True only in the final state of a lead whose GDPR delete HubSpot confirmed. */
  deleted: boolean;
  properties: Record<string, string>;
  subscription: LeadSubscriptionState;
  /** Every event not yet applied, the one in flight first. */
  pending: PendingEvent[];
  failed: FailedEvent[];
  processedEvents: number;
  lastSyncedAt?: string;
  createdAt: string;
  updatedAt: string;
  hubspot: HubSpotSide;
  /** Changes from HubSpot on their way to the backend, and those it refused for good. */
  deliveries: {
    pending: Array<Pick<BackendDelivery, 'id' | 'type' | 'occurredAt'>>;
    failed: FailedDelivery[];
    delivered: number;
  };
}

/** A lead's event waiting in its queue. */
export interface QueuedEvent {
  event: LeadEvent;
  /** Replayed by an operator after a failure: its properties must not overwrite newer writes. */
  replay?: boolean;
  /** Split out of a folded write that HubSpot rejected, so it is applied on its own. */
  alone?: boolean;
}

/** The lead's durable record: everything carried from one run of its workflow to the next. */
export interface LeadRecord {
  email: string;
  portalId: string;
  hubspotId?: string;
  properties: Record<string, string>;
  subscription: LeadSubscriptionState;
  queue: QueuedEvent[];
  failed: FailedEvent[];
  /** Hashes of the event ids seen, with when (epoch ms); see src/workflows/event-memory.ts. */
  seen: { ids: string[]; at: number[] };
  /** Arrival number of the last accepted event. */
  sequence: number;
  /** Sequence of the event that last wrote each property, so a replayed old event cannot undo a newer one. */
  writtenAt: Record<string, number>;
  /** Sequence of the last GDPR delete: nothing queued before it may come back through a replay. */
  deletedAtSeq: number;
  /**
   * HubSpot's time (epoch ms) of the newest value known for each property, ours or HubSpot's: a change HubSpot
   * reports from before it is already overwritten there.
   */
  changedAt: Record<string, number>;
  hubspot: HubSpotSide;
  /** HubSpot's time (epoch ms) of the lead's last write: a poll's snapshot from then is its own write, not news. */
  lastWriteAt?: number;
  /** Deliveries to the backend, oldest first. */
  outbox: BackendDelivery[];
  failedDeliveries: FailedDelivery[];
  delivered: number;
  /** HubSpot deleted the contact for privacy reasons: once the backend was told, the lead forgets everything. */
  forgetWhenDelivered?: { deliveryId: string; seq: number };
  processedEvents: number;
  lastSyncedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A lead workflow ends only after a confirmed GDPR delete; its result holds no personal data. */
export interface LeadRunResult {
  deleted: true;
  processedEvents: number;
}

export interface DedupeLimits {
  /** Event ids are remembered at least this long. Default 7 days. */
  windowMs?: number;
  /** At most this many ids per lead. Default 10,000. */
  maxIds?: number;
}

export interface LeadSyncInput {
  email: string;
  portalId: string;
  /** How long a lead with nothing to do waits before it continues-as-new to a compact history. */
  idleTimeoutMs?: number;
  dedupe?: DedupeLimits;
  /** Continue-as-new at this history length even before the server suggests it (tests use a small one). */
  continueAsNewAfterEvents?: number;
  /** Set by an idle continue-as-new: the run waits for its next event without a timer. */
  idle?: boolean;
  /** Carried across continue-as-new. */
  carried?: LeadRecord;
}
