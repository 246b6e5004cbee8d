import type { Client } from '@temporalio/client';
import { createHubSpotClient, type HubSpotLogger } from '../hubspot/index.js';
import type { ContactsApi, UpsertInput } from '../hubspot/contacts.js';
import type { UpsertResult } from '../hubspot/batch-upsert.js';
import type { ApiVersion } from '../hubspot/paths.js';
import { DEFAULT_MAX, createRateBudget, type RateBudget } from '../hubspot/rate-budget.js';
import type { SubscriptionsApi } from '../hubspot/subscriptions.js';
import { connectionTokenProvider, staticTokenProvider } from '../activities/token-provider.js';
import { trackingTokens, type TrackedTokens } from './portal-auth.js';
import { createBatchWrites } from './batch-writes.js';

/** Everything this worker process holds for one HubSpot portal, shared by all its activities. */
export interface PortalSession {
  portalId: string;
  contacts: ContactsApi;
  subscriptions: SubscriptionsApi;
  tokens: TrackedTokens;
  /** The portal's rate budget: every call of this process to the portal spends from it. */
  budget: RateBudget;
  /** Upserts one contact by email, sharing a batch upsert with the other leads' concurrent writes. */
  upsert(input: UpsertInput): Promise<UpsertResult>;
}

export interface PortalSessionOptions {
  client: Client;
  baseUrl: string;
  apiVersion: ApiVersion;
  timeoutMs: number;
  /** Static token for every portal (private app / service key), or OAuth through the connection workflow. */
  auth: { mode: 'static'; token: string } | { mode: 'oauth' };
  /** Requests per 10 s for each portal; HubSpot's default for the auth mode otherwise. */
  rateLimit?: number;
  /** Coalescing window for batch upserts across leads; 0 sends each write alone. */
  upsertBatchWaitMs?: number;
  /**
   * Under sustained load, partial batches leave at most once per this long; 0 turns the pacing off. By default one
   * per tenth of the portal's budget: 1 s at HubSpot's 100 calls / 10 s.
   */
  upsertPacingMs?: number;
  logger?: HubSpotLogger;
}

export type PortalSessions = (portalId: string) => PortalSession;

/** The one place a worker process builds its per-portal state: each portal's session is made on first use. */
export function createPortalSessions(options: PortalSessionOptions): PortalSessions {
  const sessions = new Map<string, PortalSession>();
  return (portalId) => {
    let session = sessions.get(portalId);
    if (!session) {
      session = createPortalSession(portalId, options);
      sessions.set(portalId, session);
    }
    return session;
  };
}

function createPortalSession(portalId: string, options: PortalSessionOptions): PortalSession {
  const tokens = trackingTokens(
    options.auth.mode === 'static'
      ? staticTokenProvider({ token: options.auth.token, client: options.client, portalId })
      : connectionTokenProvider({ client: options.client, portalId }),
  );
  const budget = createRateBudget({ max: options.rateLimit ?? DEFAULT_MAX[options.auth.mode] });
  const hubspot = createHubSpotClient({
    baseUrl: options.baseUrl,
    apiVersion: options.apiVersion,
    timeoutMs: options.timeoutMs,
    tokenProvider: tokens,
    rateBudget: budget,
    logger: options.logger,
  });
  const base = { portalId, contacts: hubspot.contacts, subscriptions: hubspot.subscriptions, tokens, budget };
  const pacingMs = options.upsertPacingMs ?? writePacingMs(budget);
  return { ...base, upsert: createBatchWrites(base, { batchWaitMs: options.upsertBatchWaitMs, pacingMs }) };
}

/**
 * The portal's 10-second limit is shared with everything else the customer runs against HubSpot, so under sustained
 * load partial batch upserts take at most a tenth of it (full batches of 100 still leave at once): one per second at
 * HubSpot's usual 100 calls / 10 s, proportionally more often on a portal with a higher limit.
 */
export function writePacingMs(budget: RateBudget): number {
  const { max, intervalMs } = budget.state('api');
  return Math.max(1, Math.round((intervalMs * 10) / max));
}
