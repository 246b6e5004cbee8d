import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import type { LeadSyncStatusName } from '../shared/lead-types.js';
import { HubSpotContactId, HubSpotPortal, LeadEmail, LeadSyncStatus } from '../shared/search-attributes.js';

export const LEAD_STATUSES = ['pending', 'synced', 'failed', 'blocked'] as const satisfies LeadSyncStatusName[];
export const MAX_PAGE_SIZE = 1_000;

/** One lead as visibility knows it: what an operator's list needs, read without waking the lead's workflow. */
export interface LeadSummary {
  email: string;
  portalId: string;
  status: LeadSyncStatusName;
  hubspotId?: string;
  workflowId: string;
}

export interface LeadPage {
  leads: LeadSummary[];
  /** Pass back as `pageToken` for the next page; absent on the last one. */
  nextPageToken?: string;
}

export interface LeadListRequest {
  portalId: string;
  status?: LeadSyncStatusName;
  pageSize: number;
  pageToken?: string;
}

/** The portal's open lead workflows (a GDPR-deleted lead's has ended), narrowed by one more clause. */
function openLeadsQuery(portalId: string, clause?: string): string {
  return [
    `WorkflowType = 'leadSync'`,
    `ExecutionStatus = 'Running'`,
    `${HubSpotPortal.name} = '${portalId}'`,
    ...(clause ? [clause] : []),
  ].join(' AND ');
}

/**
 * A page of the portal's open lead workflows from Temporal's visibility store, which lags the workflows by up to
 * a second or so: a lead's own state (`status(email)`) is the exact answer.
 */
export async function listLeads(client: Client, request: LeadListRequest): Promise<LeadPage> {
  const answer = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query: openLeadsQuery(
      request.portalId,
      request.status ? `${LeadSyncStatus.name} = '${request.status}'` : undefined,
    ),
    pageSize: request.pageSize,
    nextPageToken: request.pageToken ? Buffer.from(request.pageToken, 'base64url') : undefined,
  });
  const leads = (answer.executions ?? []).map((execution): LeadSummary => {
    const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
    return {
      email: attributes.get(LeadEmail) ?? '',
      portalId: attributes.get(HubSpotPortal) ?? request.portalId,
      status: (attributes.get(LeadSyncStatus) ?? 'pending') as LeadSyncStatusName,
      hubspotId: attributes.get(HubSpotContactId) ?? undefined,
      workflowId: execution.execution?.workflowId ?? '',
    };
  });
  const token = answer.nextPageToken;
  return { leads, ...(token && token.length > 0 ? { nextPageToken: Buffer.from(token).toString('base64url') } : {}) };
}

/** Emails per visibility query: `LeadEmail IN (...)` stays short. */
const STATUS_CHUNK = 100;

/** What visibility shows of a lead: its status, and which event's signal-with-start began its chain of runs. */
export interface VisibleLead {
  status: LeadSyncStatusName;
  startedBy?: string;
}

/**
 * The visible state of each named lead that has an open workflow, in a few visibility queries. Emails that could
 * not be put in a query safely are left out, as are leads visibility does not show yet.
 */
export async function visibleLeads(
  client: Client,
  portalId: string,
  emails: string[],
): Promise<Map<string, VisibleLead>> {
  const leads = new Map<string, VisibleLead>();
  const quotable = emails.filter((e) => !/['"\\]/.test(e));
  for (let i = 0; i < quotable.length; i += STATUS_CHUNK) {
    const chunk = quotable.slice(i, i + STATUS_CHUNK);
    const query = openLeadsQuery(portalId, `${LeadEmail.name} IN (${chunk.map((e) => `'${e}'`).join(', ')})`);
    for await (const execution of client.workflow.list({ query, pageSize: STATUS_CHUNK })) {
      const email = execution.typedSearchAttributes.get(LeadEmail);
      if (!email) continue;
      const startedBy = execution.memo?.[STARTED_BY_MEMO];
      leads.set(email, {
        status: (execution.typedSearchAttributes.get(LeadSyncStatus) ?? 'pending') as LeadSyncStatusName,
        ...(typeof startedBy === 'string' ? { startedBy } : {}),
      });
    }
  }
  return leads;
}

/**
 * Memo key naming the event whose signal-with-start began the lead's workflow (set only when it starts one): its
 * status in visibility is then exactly that event's, since a new run is `pending` until its first event is applied.
 */
export const STARTED_BY_MEMO = 'startedBy';
