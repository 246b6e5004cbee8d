import { createLeadActivities, type LeadActivityDeps } from './leads.js';
import { createTokenActivities, type OAuthTokenApi } from './tokens.js';

export interface ActivityDeps extends LeadActivityDeps {
  /** HubSpot's OAuth token endpoints; absent for static-token deployments. */
  oauth?: OAuthTokenApi;
}

const noOAuth: OAuthTokenApi = {
  exchangeCode: () => Promise.reject(new Error('OAuth is not configured (HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET)')),
  refresh: () => Promise.reject(new Error('OAuth is not configured (HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET)')),
};

/** Every activity of the service, built over injected clients so tests can wire real ones to the sandbox. */
export function createActivities(deps: ActivityDeps) {
  return { ...createTokenActivities({ oauth: deps.oauth ?? noOAuth }), ...createLeadActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
