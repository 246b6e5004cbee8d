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

export type LeadEventBody =
  | { kind: 'register'; properties: LeadProperties }
  | { kind: 'update'; properties: LeadProperties }
  | ({ kind: 'unsubscribe' } & SubscriptionChange)
  | ({ kind: 'resubscribe' } & SubscriptionChange)
  | { kind: 'delete' }
  | { kind: 'resync' };

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

export interface LeadState {
  email: string;
  portalId: string;
  status: LeadSyncStatusName;
  hubspotId?: string;
  deleted: boolean;
  properties: Record<string, string>;
  subscription: LeadSubscriptionState;
  pending: Array<{ eventId: string; kind: LeadEventKind; receivedAt: string }>;
  failed: FailedEvent[];
  processedEvents: number;
  lastSyncedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** What a completed lead run returns: its state plus the event ids it has seen, for the next run. */
export interface LeadRunResult extends LeadState {
  seenEventIds: string[];
  sequence: number;
  writtenAt: Record<string, number>;
  deletedAtSeq: number;
}

export interface LeadSyncInput {
  email: string;
  portalId: string;
  /** How long an idle lead workflow waits for more events before completing. */
  idleTimeoutMs?: number;
  /** Continue-as-new at this history length even before the server suggests it (tests use a small one). */
  continueAsNewAfterEvents?: number;
  /** Carried across continue-as-new. */
  carried?: {
    state: LeadState;
    queue: Array<{ event: LeadEvent; replay?: boolean }>;
    seenEventIds: string[];
    writtenAt: Record<string, number>;
    sequence: number;
    deletedAtSeq: number;
  };
}
