import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccessTokenGrant, ConnectionStatus, ReauthorizeInput } from './connection-types.js';
import type { LeadEvent, LeadState } from './lead-types.js';

// Connection workflow (`hubspot-connection:<portal>`).
export const getAccessTokenUpdate = defineUpdate<AccessTokenGrant, [Record<string, never>]>('getAccessToken');
export const forceRefreshUpdate = defineUpdate<AccessTokenGrant, [{ rejectedToken?: string }]>('forceRefresh');
export const reauthorizeUpdate = defineUpdate<ConnectionStatus, [ReauthorizeInput]>('reauthorize');
export const connectionStatusQuery = defineQuery<ConnectionStatus>('status');
export const reportAuthFailureSignal = defineSignal<[{ message: string }]>('reportAuthFailure');
export const parkLeadSignal = defineSignal<[{ workflowId: string }]>('parkLead');

// Lead workflow (`lead:<portal>:<email>`).
export const leadEventSignal = defineSignal<[LeadEvent]>('leadEvent');
export const retryFailedSignal = defineSignal<[{ eventIds?: string[] }]>('retryFailed');
export const connectionRestoredSignal = defineSignal<[]>('connectionRestored');
export const leadStateQuery = defineQuery<LeadState>('state');
