import type { FastifyBaseLogger } from 'fastify';

export interface RateLimitSettings {
  max: number;
  intervalMs: number;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  portalId?: number;
  clientId?: string;
  clientSecret?: string;
  staticTokens?: string[];
  accessTokenTtlSeconds?: number;
  rateLimit?: RateLimitSettings | false;
  searchRateLimit?: RateLimitSettings | false;
  knownProperties?: string[];
  subscriptions?: Array<{ id: number; name: string }>;
  recordExchanges?: boolean;
  logger?: false | FastifyBaseLogger;
  /** The id of the sandbox's app: `appId` of webhook events, `sourceId` of its own writes, `app_id` of tokens. */
  appId?: number;
  /** Where and how the sandbox sends HubSpot's webhooks; no `targetUrl` means none are sent. */
  webhooks?: WebhookSettings;
  /**
   * A JSON file that keeps the portal across restarts: read at start (a missing file is a fresh start), rewritten
   * at most every 200 ms while things change, and on close(). It also keeps the client id, client secret and static
   * tokens, which it supplies when the options leave them out.
   */
  stateFile?: string;
}

/** Every field is optional: an omitted one keeps its current value (or its default at start). */
export interface WebhookSettings {
  /** The URL events are POSTed to, signed over exactly this string; null turns webhooks off. */
  targetUrl?: string | null;
  /** How long events are collected before they leave, in arrays of at most 100. */
  batchWindowMs?: number;
  /** An answer slower than this counts as failed (HubSpot: 5 s). */
  timeoutMs?: number;
  /** Attempts per batch, the first included (HubSpot: 10). */
  maxAttempts?: number;
  /** The delay before the first retry; it doubles on each further one, up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Requests in flight at once (HubSpot: 10). */
  maxConcurrentRequests?: number;
}

export type WebhookSubscriptionType =
  'contact.creation' | 'contact.propertyChange' | 'contact.deletion' | 'contact.privacyDeletion' | 'contact.merge';

/** INTEGRATION: a write through the API; CRM_UI: a user in HubSpot; EMAIL: the contact, from an email's footer. */
export type ChangeSource = 'INTEGRATION' | 'CRM_UI' | 'EMAIL';

export interface WebhookSubscription {
  id: number;
  subscriptionType: WebhookSubscriptionType;
  propertyName?: string;
}

export interface WebhookConfig {
  targetUrl: string | null;
  batchWindowMs: number;
  timeoutMs: number;
  maxAttempts: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  maxConcurrentRequests: number;
  appId: number;
  /** What the sandbox's app subscribes to: every event type, and a property change per readable, writable property. */
  subscriptions: WebhookSubscription[];
}

/** One element of a webhook request's JSON array, as HubSpot sends it. */
export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: WebhookSubscriptionType;
  attemptNumber: number;
  objectId: number;
  changeSource: ChangeSource;
  sourceId?: string;
  propertyName?: string;
  propertyValue?: string;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  newObjectId?: number;
  numberOfPropertiesMoved?: number;
}

/** One POST to the target: its status code, or 'timeout' / 'error' (no answer, refused or reset connection). */
export interface WebhookAttempt {
  eventIds: number[];
  attemptNumber: number;
  status: number | 'timeout' | 'error';
  /** When the request left (its X-HubSpot-Request-Timestamp), ISO 8601. */
  at: string;
}

export interface SandboxWebhooks {
  /** Changes the settings (omitted fields stay); throws on invalid ones. A null `targetUrl` drops queued events. */
  configure(settings: WebhookSettings): WebhookConfig;
  config(): WebhookConfig;
  /** The delivery log, oldest first (the last 1,000 attempts). */
  attempts(): WebhookAttempt[];
  /** Resolves once nothing is collected, queued, waiting for a retry or in flight. */
  idle(): Promise<void>;
}

export interface FaultSettings {
  /** Share (0..1) of matching calls answered with an injected 5xx instead of being handled. */
  errorRate: number;
  latencyMs: number;
  /** Share (0..1) of successful writes that are applied and then answered by destroying the socket. */
  dropAfterWriteRate: number;
  /** Route names, name prefixes or path prefixes the random faults apply to; empty means every API route. */
  routes: string[];
}

export interface FailNextSpec {
  route?: string;
  method?: string;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  count?: number;
}

export interface DropNextSpec {
  route?: string;
  count?: number;
}

export interface SandboxCounters {
  requestsByRoute: Record<string, number>;
  rateLimited: number;
  expiredTokenUses: number;
  unknownTokenUses: number;
  refreshes: number;
  tokenEndpointCalls: number;
  writesApplied: number;
  dropped: number;
  injectedErrors: number;
}

export interface ContactRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

export type SubscriptionState = 'SUBSCRIBED' | 'UNSUBSCRIBED' | 'NOT_SPECIFIED';

export interface SubscriptionStatusView {
  unsubscribedFromAll: boolean;
  statuses: Record<number, SubscriptionState>;
}

export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string>;
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: unknown;
  route: string;
  /** The answer was computed (and any write applied) but the socket was destroyed instead of sending it. */
  dropped?: boolean;
}

export interface SandboxFaults {
  set(settings: Partial<FaultSettings>): void;
  failNext(spec: FailNextSpec): void;
  dropNext(spec: DropNextSpec): void;
  reset(): void;
}

export interface Sandbox {
  baseUrl: string;
  portalId: number;
  appId: number;
  clientId: string;
  clientSecret: string;
  staticToken: string;
  issueRefreshToken(): string;
  issueAuthorizationCode(redirectUri: string): string;
  expireAllAccessTokens(): void;
  revokeRefreshTokens(): void;
  faults: SandboxFaults;
  counters(): SandboxCounters;
  contacts: { all(): ContactRecord[]; byEmail(email: string): ContactRecord | undefined };
  subscriptionStatus(email: string): SubscriptionStatusView;
  deletedEmails(): string[];
  exchanges: Exchange[];
  webhooks: SandboxWebhooks;
  /**
   * An empty portal again (contacts, subscriptions, custom properties; the state file too), no faults or counters,
   * and the webhook settings given at start (queued events dropped). Credentials and tokens stay.
   */
  reset(): void;
  close(): Promise<void>;
}
