import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccessTokenGrant, ConnectionStatus, ReauthorizeInput } from './connection-types.js';
import type { ChangeFeedSettings, ChangeFeedState, InboundChange } from './change-types.js';
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

// Change feed workflow (`hubspot-changes:<portal>`): what HubSpot reports, by webhook or poll.
export const inboundChangesSignal = defineSignal<[{ changes: InboundChange[] }]>('inboundChanges');
export const changeFeedSettingsSignal = defineSignal<[ChangeFeedSettings]>('changeFeedSettings');
export const changeFeedQuery = defineQuery<ChangeFeedState>('changeFeed');
