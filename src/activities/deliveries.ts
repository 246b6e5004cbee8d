import { log } from '@temporalio/activity';
import { BackendDeliveryError, type BackendWebhook } from '../deliveries/backend-webhook.js';
import type { BackendDelivery } from '../shared/delivery-types.js';
import { classified } from './failures.js';

export interface DeliveryActivityDeps {
  /** Absent when LEADSYNC_BACKEND_WEBHOOK_URL is unset. */
  backend?: BackendWebhook;
}

export function createDeliveryActivities(deps: DeliveryActivityDeps) {
  return {
    /**
     * Tells the backend about a change made inside HubSpot. Deliveries are optional: a backend that never set a
     * webhook URL still gets its leads synced to HubSpot, so without one the change is dropped here, reported as
     * not delivered, rather than failing the lead's workflow.
     */
    async deliverChange(input: { delivery: BackendDelivery }): Promise<{ status: number; delivered: boolean }> {
      // The email and the changed values are personal data: logs name the delivery only by id and type.
      const { id: deliveryId, type } = input.delivery;
      const { backend } = deps;
      if (!backend) {
        log.debug('backend delivery skipped: no webhook configured', { deliveryId, type });
        return { status: 0, delivered: false };
      }
      return classified(async () => {
        try {
          const { status } = await backend.post(input.delivery);
          log.info('change delivered to the backend', { deliveryId, type, status });
          return { status, delivered: true };
        } catch (err) {
          // The worker logs the failure too, but without the delivery id that ties it to the backend's side.
          const failure = err instanceof BackendDeliveryError ? { failure: err.type, status: err.status } : {};
          log.warn('backend delivery failed', { deliveryId, type, ...failure });
          throw err;
        }
      });
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
