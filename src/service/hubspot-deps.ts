import type { Client } from '@temporalio/client';
import type { Config, HubSpotCredentials } from '../config.js';
import { createHubSpotClient } from '../hubspot/index.js';
import type { OAuthApi } from '../hubspot/oauth.js';
import { createPortalSessions, type PortalSessions } from '../portals/portal-session.js';

type RealCredentials = Exclude<HubSpotCredentials, { mode: 'sandbox' }>;

/** What the worker needs of HubSpot: the per-portal sessions, and the OAuth endpoints when installed by OAuth. */
export function hubspotDeps(
  hubspot: Config['hubspot'],
  credentials: RealCredentials,
  client: Client,
  options: { upsertBatchWaitMs?: number; upsertPacingMs?: number } = {},
): { portal: PortalSessions; oauth?: OAuthApi } {
  const common = { baseUrl: hubspot.baseUrl, apiVersion: hubspot.apiVersion, timeoutMs: hubspot.timeoutMs };
  return {
    portal: createPortalSessions({
      ...common,
      client,
      auth: credentials.mode === 'static' ? { mode: 'static', token: credentials.accessToken } : { mode: 'oauth' },
      rateLimit: hubspot.rateLimit,
      upsertBatchWaitMs: options.upsertBatchWaitMs,
      upsertPacingMs: options.upsertPacingMs,
    }),
    oauth:
      credentials.mode === 'oauth'
        ? createHubSpotClient({
            ...common,
            oauth: { clientId: credentials.clientId, clientSecret: credentials.clientSecret },
          }).oauth
        : undefined,
  };
}
