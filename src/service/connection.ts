import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { ConnectionMode, ConnectionStatus, ReauthorizeInput } from '../shared/connection-types.js';
import { connectionWorkflowId } from '../shared/ids.js';
import { connectionStatusQuery, reauthorizeUpdate } from '../shared/messages.js';
import { HubSpotPortal } from '../shared/search-attributes.js';
import type { hubspotConnection } from '../workflows/hubspot-connection.js';

export interface PortalConnectionOptions {
  client: Client;
  taskQueue: string;
  portalId: string;
  mode: ConnectionMode;
  refreshMarginMs?: number;
  continueAsNewAfterEvents?: number;
}

function startOptions(o: PortalConnectionOptions) {
  return {
    workflowId: connectionWorkflowId(o.portalId),
    taskQueue: o.taskQueue,
    args: [
      {
        portalId: o.portalId,
        mode: o.mode,
        refreshMarginMs: o.refreshMarginMs,
        continueAsNewAfterEvents: o.continueAsNewAfterEvents,
      },
    ] as Parameters<typeof hubspotConnection>,
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    typedSearchAttributes: [{ key: HubSpotPortal, value: o.portalId }],
    staticSummary: `HubSpot connection for portal ${o.portalId} (${o.mode})`,
  };
}

/** Makes sure the portal's connection workflow runs; an already running one is reused as it is. */
export async function ensureConnection(o: PortalConnectionOptions): Promise<ConnectionStatus> {
  const handle = await o.client.workflow.start<typeof hubspotConnection>('hubspotConnection', startOptions(o));
  return handle.query(connectionStatusQuery);
}

/** Starts the connection if needed and hands it new credentials in one call (update-with-start). */
export async function reauthorizeConnection(
  o: PortalConnectionOptions,
  how: ReauthorizeInput,
): Promise<ConnectionStatus> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof hubspotConnection>(
    'hubspotConnection',
    startOptions(o),
  );
  return o.client.workflow.executeUpdateWithStart(reauthorizeUpdate, { args: [how], startWorkflowOperation });
}

export async function connectionStatus(client: Client, portalId: string): Promise<ConnectionStatus> {
  return client.workflow.getHandle(connectionWorkflowId(portalId)).query(connectionStatusQuery);
}
