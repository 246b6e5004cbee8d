import type { Client } from '@temporalio/client';
import { createHubSpotClient, type HubSpotLogger } from '../hubspot/index.js';
import type { ApiVersion } from '../hubspot/paths.js';
import { trackingTokens, type PortalClients } from '../activities/portal.js';
import { connectionTokenProvider, staticTokenProvider } from '../activities/token-provider.js';

export interface PortalRegistryOptions {
  client: Client;
  baseUrl: string;
  apiVersion: ApiVersion;
  timeoutMs: number;
  /** Static token for every portal (private app / service key), or OAuth through the connection workflow. */
  auth: { mode: 'static'; token: string } | { mode: 'oauth' };
  rateLimit?: number;
  logger?: HubSpotLogger;
}

/** One HubSpot client (and so one rate budget) per portal, shared by all activities of this worker. */
export function createPortalRegistry(options: PortalRegistryOptions): (portalId: string) => PortalClients {
  const portals = new Map<string, PortalClients>();
  return (portalId) => {
    let portal = portals.get(portalId);
    if (!portal) {
      const tokens = trackingTokens(
        options.auth.mode === 'static'
          ? staticTokenProvider({ token: options.auth.token, client: options.client, portalId })
          : connectionTokenProvider({ client: options.client, portalId }),
      );
      const hubspot = createHubSpotClient({
        baseUrl: options.baseUrl,
        apiVersion: options.apiVersion,
        timeoutMs: options.timeoutMs,
        tokenProvider: tokens,
        authMode: options.auth.mode,
        portalKey: portalId,
        rateLimit: options.rateLimit ? { max: options.rateLimit } : undefined,
        logger: options.logger,
      });
      portal = { portalId, contacts: hubspot.contacts, subscriptions: hubspot.subscriptions, tokens };
      portals.set(portalId, portal);
    }
    return portal;
  };
}
