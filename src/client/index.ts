export { LeadNotFoundError, LeadSyncClient, type Accepted, type LeadSyncClientOptions } from './lead-sync-client.js';
export { LeadInputError } from './schemas.js';
export type { LeadEvent, LeadState, LeadProperties, LegalBasis } from '../shared/lead-types.js';
export { SIGNATURE_HEADER, signDelivery, verifyWebhook } from './webhook-signature.js';
export type { BackendDelivery, DeliveryType } from '../shared/delivery-types.js';
