import type { Client } from '@temporalio/client';
import type { LeadRunResult } from '../shared/lead-types.js';

/**
 * A lead workflow completes when idle; the next event starts a new run. The new run picks up where the last
 * completed one ended (HubSpot id, synced properties, subscriptions, failed events) from that run's result.
 */
export function createPreviousStateLoader(client: Client) {
  return async (workflowId: string, currentRunId: string): Promise<LeadRunResult | undefined> => {
    const query = `WorkflowId = "${workflowId.replace(/["\\]/g, '')}" AND ExecutionStatus = "Completed"`;
    let newest: { runId: string; closeTime: number } | undefined;
    for await (const run of client.workflow.list({ query })) {
      if (run.runId === currentRunId) continue;
      const closeTime = run.closeTime?.getTime() ?? 0;
      if (!newest || closeTime > newest.closeTime) newest = { runId: run.runId, closeTime };
    }
    if (!newest) return undefined;
    return (await client.workflow.getHandle(workflowId, newest.runId).result()) as LeadRunResult;
  };
}
