import type { Client } from '@temporalio/client';
import type { BackendWebhook } from '../deliveries/backend-webhook.js';
import { createChangeActivities } from './changes.js';
import { createDeliveryActivities } from './deliveries.js';
import { createLeadActivities, type LeadActivityDeps } from './leads.js';
import { createTokenActivities, type OAuthTokenApi } from './tokens.js';

export interface ActivityDeps extends LeadActivityDeps {
  /** HubSpot's OAuth token endpoints; absent for static-token deployments. */
  oauth?: OAuthTokenApi;
  /** The worker's own Temporal client: the change feed signals leads with it. */
  client: Client;
  /** The backend's webhook receiver; absent when LEADSYNC_BACKEND_WEBHOOK_URL is not set. */
  backend?: BackendWebhook;
}

const noOAuth: OAuthTokenApi = {
  exchangeCode: () => Promise.reject(new Error('OAuth is not configured (HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET)')),
  refresh: () => Promise.reject(new Error('OAuth is not configured (HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET)')),
};

/** Every activity of the service, built over injected clients so tests can wire real ones to the sandbox. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createTokenActivities({ oauth: deps.oauth ?? noOAuth }),
    ...createLeadActivities(deps),
    ...createChangeActivities(deps),
    ...createDeliveryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
