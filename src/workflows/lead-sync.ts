import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/deliveries.js';
import type { LeadActivities } from '../activities/leads.js';
import { failureOf } from '../shared/failures.js';
import { FailureType } from '../shared/failure-types.js';
import { connectionWorkflowId } from '../shared/ids.js';
import type { LeadRunResult, LeadSyncInput, SubscriptionChange } from '../shared/lead-types.js';
import {
  connectionRestoredSignal,
  leadEventSignal,
  leadStateQuery,
  parkLeadSignal,
  retryFailedSignal,
} from '../shared/messages.js';
import { HubSpotContactId, LeadSyncStatus } from '../shared/search-attributes.js';
import { LeadLedger, type Step, type StepResult } from './lead-ledger.js';

// HubSpot outages and rate limits are retried for as long as they last: a lead's later events must wait behind its
// earlier ones, so giving up would only turn an outage into lost ordering. Permanent answers come back non-retryable.
const hubspot = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

// The backend is told of HubSpot's changes for up to three days, as HubSpot itself retries its webhooks; a 4xx
// other than 408 and 429 is permanent and waits for an operator's retry.
const backend = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '3d',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    nonRetryableErrorTypes: [FailureType.BackendRejected],
  },
});

const PARK_RECHECK_MS = 15 * 60_000;
const DEFAULT_IDLE_MS = 60 * 60_000;

/**
 * One lead, for as long as it exists: its events are applied to HubSpot one step at a time, in arrival order, by
 * the ledger's rules. When idle it continues-as-new to a compact history and waits for the next event; a confirmed
 * GDPR delete ends it.
 */
export async function leadSync(input: LeadSyncInput): Promise<LeadRunResult> {
  const options = { memory: input.dedupe };
  const ledger = input.carried
    ? LeadLedger.restore(input.carried, options)
    : LeadLedger.create({ email: input.email, portalId: input.portalId, now: Date.now() }, options);
  let parked = false;
  let restored = false;

  setHandler(leadEventSignal, (event) => {
    const outcome = ledger.accept(event, Date.now());
    if (outcome !== 'queued') log.info(`dropped a ${outcome} lead event`, { eventId: String(event?.eventId) });
  });
  setHandler(retryFailedSignal, (request) => {
    ledger.retryFailed(request?.eventIds, Date.now());
  });
  setHandler(connectionRestoredSignal, () => {
    restored = true;
  });
  setHandler(leadStateQuery, () => ledger.view(parked));

  const historyTooLong = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  /** Search attributes change only when the lead's status or contact id does: each upsert costs the server a write. */
  const publish = () => {
    const current = workflowInfo().typedSearchAttributes;
    const changes = [
      { key: LeadSyncStatus, value: ledger.status(parked) },
      { key: HubSpotContactId, value: ledger.hubspotId ?? null },
    ].filter(({ key, value }) => (current.get(key) ?? null) !== value);
    if (changes.length > 0) upsertSearchAttributes(changes);
  };

  /** Runs one step; on a broken connection it parks, and tries the same step again once the connection is back. */
  const perform = async (step: Step): Promise<'settled' | 'requeued'> => {
    for (;;) {
      try {
        ledger.succeeded(await call(input, step), Date.now());
        return 'settled';
      } catch (err) {
        const failure = failureOf(err);
        if (failure.type !== FailureType.HubSpotAuth) {
          ledger.failed({ errorType: failure.type, message: failure.message }, Date.now());
          log.warn('lead event failed for good', { kind: step.kind, errorType: failure.type });
          return 'settled';
        }
        await park(failure.message);
        // A lead parked for days keeps adding timer events; its step goes back to the queue for the next run.
        if (historyTooLong()) {
          ledger.requeue();
          return 'requeued';
        }
      }
    }
  };

  /** Waits, without spending HubSpot calls, until the portal's connection says it works again. */
  const park = async (reason: string) => {
    parked = true;
    restored = false;
    publish();
    log.warn('lead parked until the HubSpot connection recovers', { reason });
    try {
      await getExternalWorkflowHandle(connectionWorkflowId(input.portalId)).signal(parkLeadSignal, {
        workflowId: workflowInfo().workflowId,
      });
    } catch (err) {
      log.warn('could not reach the connection workflow; re-checking on a timer', { error: String(err) });
    }
    await condition(() => restored, PARK_RECHECK_MS);
    parked = false;
  };

  /**
   * Tells the backend, one delivery at a time in order, what changed in HubSpot; beside the HubSpot steps, so a
   * backend that is down delays only its own deliveries.
   */
  const deliveries = new CancellationScope();
  const deliveryLane = deliveries
    .run(async () => {
      for (;;) {
        await condition(() => ledger.nextDelivery() !== undefined);
        const delivery = ledger.nextDelivery()!;
        try {
          await backend.deliverChange({ delivery });
          ledger.delivered(delivery.id, Date.now());
        } catch (err) {
          if (isCancellation(err)) throw err;
          const failure = failureOf(err);
          ledger.deliveryFailed(delivery.id, { errorType: failure.type, message: failure.message }, Date.now());
          log.warn('delivery to the backend failed for good', { deliveryId: delivery.id, errorType: failure.type });
        }
        publish();
      }
    })
    // Cancelled before a continue-as-new or the end: a delivery in flight stays in the outbox for the next run.
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });

  /** Stops the delivery lane and lets every handler finish: the run ends or continues-as-new next. */
  const wrapUp = async () => {
    deliveries.cancel();
    await deliveryLane;
    await condition(allHandlersFinished);
  };

  /** The next run of this workflow, starting from `from`'s record. */
  const continueFrom = async (from: LeadLedger, idle = false): Promise<never> => {
    await wrapUp();
    return continueAsNew<typeof leadSync>({ ...input, idle, carried: from.snapshot() });
  };

  let idle = input.idle ?? false;
  publish();
  for (;;) {
    const step = ledger.next(Date.now());
    if (step) {
      idle = false;
      const outcome = await perform(step);
      publish();
      if (ledger.wasForgotten) break;
      if (outcome === 'requeued' || historyTooLong()) return continueFrom(ledger);
      continue;
    }
    if (ledger.wasForgotten) break;
    // HubSpot's own reports settle without a step, and may move the lead to another contact (a merge).
    publish();
    if (historyTooLong()) return continueFrom(ledger);
    const wake = () => ledger.hasWork() || historyTooLong();
    // An idle run waits without a timer: a lead quiet for a year costs nothing until its next event.
    if (idle) await condition(wake);
    else if (!(await condition(wake, input.idleTimeoutMs ?? DEFAULT_IDLE_MS)) && !ledger.nextDelivery())
      return continueFrom(ledger, true);
  }
  await wrapUp();
  // Events that arrived behind the delete belong to a new lead with the same address: a fresh run takes them.
  if (ledger.hasSuccessorWork()) return continueFrom(ledger.successor(Date.now()));
  return { deleted: true, processedEvents: ledger.view(false).processedEvents };
}

async function call(input: LeadSyncInput, step: Step): Promise<StepResult> {
  const lead = { portalId: input.portalId, email: input.email };
  switch (step.kind) {
    case 'write': {
      const { id, properties, at } = await hubspot.upsertContact({ ...lead, properties: step.properties });
      return { kind: 'write', id, properties, at };
    }
    case 'unsubscribe':
      await hubspot.unsubscribeLead({ ...lead, ...subscriptionChange(step.event) });
      return { kind: 'unsubscribe' };
    case 'resubscribe': {
      const { resubscribed } = await hubspot.resubscribeLead({
        ...lead,
        ...subscriptionChange(step.event),
        ...step.subscription,
      });
      return { kind: 'resubscribe', resubscribed };
    }
    case 'delete':
      await hubspot.deleteLead(lead);
      return { kind: 'delete' };
    case 'resync': {
      const { id } = await hubspot.resyncLead({
        ...lead,
        properties: step.properties,
        subscription: step.subscription,
      });
      return { kind: 'resync', id };
    }
  }
}

function subscriptionChange(event: SubscriptionChange): SubscriptionChange {
  return {
    subscriptionId: event.subscriptionId,
    legalBasis: event.legalBasis,
    legalBasisExplanation: event.legalBasisExplanation,
  };
}
