export { hubspotConnection } from './hubspot-connection.js';
export { leadSync } from './lead-sync.js';
export { hubspotChanges } from './hubspot-changes.js';
