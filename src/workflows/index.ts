export { hubspotConnection } from './hubspot-connection.js';
export { leadSync } from './lead-sync.js';
