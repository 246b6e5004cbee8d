import { LeadInputError } from '../client/schemas.js';

/**
 * A call may name its portal (`portalId`); this service syncs one, so any other is refused by name rather than
 * quietly served from the wrong portal.
 */
export function checkPortal(requested: unknown, served: string): void {
  if (requested === undefined || requested === '') return;
  if (typeof requested !== 'string' && typeof requested !== 'number') {
    throw new LeadInputError([{ field: 'portalId', message: 'must be a numeric portal id' }]);
  }
  if (String(requested) !== served) {
    throw new LeadInputError([{ field: 'portalId', message: `this service syncs portal ${served} only` }]);
  }
}
