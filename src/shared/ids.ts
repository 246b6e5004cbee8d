/** The task queue every worker of this service polls unless TEMPORAL_TASK_QUEUE says otherwise. */
export const DEFAULT_TASK_QUEUE = 'hubspot-lead-sync';

/** HubSpot matches emails case-insensitively, so one lead is one lower-cased, trimmed address. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** One lead is one address in one portal: the same email in two portals is two leads. */
export function leadWorkflowId(portalId: string, email: string): string {
  return `lead:${portalId}:${normalizeEmail(email)}`;
}

export function connectionWorkflowId(portal: string): string {
  return `hubspot-connection:${portal}`;
}

/** The portal's change feed: webhooks handed over by the HTTP API, and polling where there are none. */
export function changeFeedWorkflowId(portal: string): string {
  return `hubspot-changes:${portal}`;
}
