import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../shared/failure-types.js';
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
     * Tells the backend about a change made inside HubSpot. Only changes the service was configured to deliver
     * come here: a worker without LEADSYNC_BACKEND_WEBHOOK_URL (a scale-out worker set up apart) must not drop one,
     * so it fails retryably and a worker that has the URL takes it.
     */
    async deliverChange(input: { delivery: BackendDelivery }): Promise<{ status: number; delivered: boolean }> {
      // The email and the changed values are personal data: logs name the delivery only by id and type.
      const { id: deliveryId, type } = input.delivery;
      const { backend } = deps;
      if (!backend) {
        log.warn('no backend webhook configured on this worker; the delivery waits for one that has it', {
          deliveryId,
          type,
        });
        throw ApplicationFailure.create({
          type: FailureType.BackendUnavailable,
          message: 'LEADSYNC_BACKEND_WEBHOOK_URL is not set on this worker',
        });
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
