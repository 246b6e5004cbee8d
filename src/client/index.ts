export { LeadNotFoundError, LeadSyncClient, type Accepted, type LeadSyncClientOptions } from './lead-sync-client.js';
export { LeadInputError } from './schemas.js';
export type { LeadEvent, LeadState, LeadProperties, LegalBasis } from '../shared/lead-types.js';
