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
  reset(): void;
  close(): Promise<void>;
}
