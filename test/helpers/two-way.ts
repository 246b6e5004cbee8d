import got from 'got';
import type { BackendDelivery } from '../../src/shared/delivery-types.js';
import type { BackendReceiver } from './backend-receiver.js';
import { eventually } from './service.js';

/** JSON over a real socket, every answer returned (none thrown), no retries. */
export const jsonApi = (prefixUrl: string) =>
  got.extend({ prefixUrl, throwHttpErrors: false, retry: { limit: 0 }, responseType: 'json' });

/** The sandbox's "inside HubSpot" calls: what a sales rep or the contact does there. */
export const insideHubSpot = (sandboxBaseUrl: string) => jsonApi(`${sandboxBaseUrl}/_sandbox/crm/contacts`);

/** Waits until the backend has taken exactly one delivery of this type for this lead, and returns it. */
export async function oneDelivery(
  backend: BackendReceiver,
  type: BackendDelivery['type'],
  email: string,
): Promise<BackendDelivery> {
  const [delivery] = await eventually(
    () => {
      const found = backend.ofType(type, email);
      return found.length === 1 && found;
    },
    { what: `one ${type} delivery for ${email}` },
  );
  return delivery!;
}
