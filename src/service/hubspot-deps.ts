import type { Client } from '@temporalio/client';
import type { Config, HubSpotCredentials } from '../config.js';
import type { PortalClients } from '../activities/portal.js';
import { createHubSpotClient } from '../hubspot/index.js';
import type { OAuthApi } from '../hubspot/oauth.js';
import { createPortalRegistry } from './portals.js';

type RealCredentials = Exclude<HubSpotCredentials, { mode: 'sandbox' }>;

/** What the worker needs of HubSpot: per-portal clients, and the OAuth endpoints when installed by OAuth. */
export function hubspotDeps(
  hubspot: Config['hubspot'],
  credentials: RealCredentials,
  client: Client,
): { portal: (portalId: string) => PortalClients; oauth?: OAuthApi } {
  const common = { baseUrl: hubspot.baseUrl, apiVersion: hubspot.apiVersion, timeoutMs: hubspot.timeoutMs };
  return {
    portal: createPortalRegistry({
      ...common,
      client,
      auth: credentials.mode === 'static' ? { mode: 'static', token: credentials.accessToken } : { mode: 'oauth' },
      rateLimit: hubspot.rateLimit,
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
