import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const LeadEmail = defineSearchAttributeKey('LeadEmail', SearchAttributeType.KEYWORD);
export const LeadSyncStatus = defineSearchAttributeKey('LeadSyncStatus', SearchAttributeType.KEYWORD);
export const HubSpotContactId = defineSearchAttributeKey('HubSpotContactId', SearchAttributeType.KEYWORD);
export const HubSpotPortal = defineSearchAttributeKey('HubSpotPortal', SearchAttributeType.KEYWORD);
/** `connected`, `refreshing` or `needs_reauth` on connection workflows, so operators can find broken portals. */
export const HubSpotConnectionState = defineSearchAttributeKey('HubSpotConnectionState', SearchAttributeType.KEYWORD);

/** Every custom attribute the service writes; a server must have them registered before workflows start. */
export const searchAttributeKeys = [LeadEmail, LeadSyncStatus, HubSpotContactId, HubSpotPortal, HubSpotConnectionState];
