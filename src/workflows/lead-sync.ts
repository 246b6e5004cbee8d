import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LeadActivities } from '../activities/leads.js';
import { FailureType } from '../shared/failure-types.js';
import { connectionWorkflowId } from '../shared/ids.js';
import type { LeadEvent, LeadRunResult, LeadState, LeadSyncInput, LeadSyncStatusName } from '../shared/lead-types.js';
import {
  connectionRestoredSignal,
  leadEventSignal,
  leadStateQuery,
  parkLeadSignal,
  retryFailedSignal,
} from '../shared/messages.js';
import { HubSpotContactId, HubSpotPortal, LeadEmail, LeadSyncStatus } from '../shared/search-attributes.js';
import { takeNext, type NextStep, type QueuedEvent, type SingleEvent, type WriteBatch } from './lead-queue.js';

const PERMANENT = [
  FailureType.HubSpotValidation,
  FailureType.HubSpotRejected,
  FailureType.HubSpotBadResponse,
  FailureType.InvalidInput,
  FailureType.HubSpotAuth,
  FailureType.HubSpotConflict,
];

// HubSpot outages and rate limits are retried for as long as they last: a lead's later events must wait
// behind its earlier ones, so giving up would only turn an outage into lost ordering.
const hubspot = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: PERMANENT },
});

const bookkeeping = proxyActivities<LeadActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

const SEEN_EVENT_IDS = 2_000;
const MAX_FAILED = 200;
const EVENT_KINDS: readonly string[] = ['register', 'update', 'unsubscribe', 'resubscribe', 'delete', 'resync'];
const PARK_RECHECK_MS = 15 * 60_000;
const DEFAULT_IDLE_MS = 60 * 60_000;

/**
 * One lead's ordered event queue: events are applied to HubSpot one at a time in arrival order, duplicates
 * are dropped by event id, consecutive property writes are folded into one, and an event HubSpot rejects for
 * good is kept as a failed event without holding up the ones after it.
 */
export async function leadSync(input: LeadSyncInput): Promise<LeadRunResult> {
  const now = () => new Date(Date.now()).toISOString();
  const state: LeadState = input.carried?.state ?? {
    email: input.email,
    portalId: input.portalId,
    status: 'pending',
    deleted: false,
    properties: {},
    subscription: { unsubscribedFromAll: false, unsubscribed: [] },
    pending: [],
    failed: [],
    processedEvents: 0,
    createdAt: now(),
    updatedAt: now(),
  };
  const queue: QueuedEvent[] = [...(input.carried?.queue ?? [])];
  const seen: string[] = [...(input.carried?.seenEventIds ?? [])];
  const seenSet = new Set(seen);
  /** Event sequence of the last successful write of each property, so a replayed old event cannot undo a newer one. */
  const writtenAt: Record<string, number> = { ...(input.carried?.writtenAt ?? {}) };
  let sequence = input.carried?.sequence ?? 0;
  /** Sequence of the last GDPR delete: nothing written before it may come back through a replay. */
  let deletedAtSeq = input.carried?.deletedAtSeq ?? 0;
  let restored = false;
  // Until the previous run's state is merged, a retry request has nothing to replay: hold it until then.
  let loaded = input.carried !== undefined;
  const deferredRetries: Array<{ eventIds?: string[] }> = [];

  const publish = (status?: LeadSyncStatusName) => {
    state.status = status ?? (state.failed.length > 0 ? 'failed' : queue.length > 0 ? 'pending' : 'synced');
    state.pending = queue.map(({ event }) => ({
      eventId: event.eventId,
      kind: event.kind,
      receivedAt: event.receivedAt,
    }));
    state.updatedAt = now();
    upsertSearchAttributes([
      { key: LeadEmail, value: state.email },
      { key: HubSpotPortal, value: state.portalId },
      { key: LeadSyncStatus, value: state.status },
      { key: HubSpotContactId, value: state.hubspotId ?? null },
    ]);
  };

  const remember = (eventId: string) => {
    seen.push(eventId);
    seenSet.add(eventId);
    while (seen.length > SEEN_EVENT_IDS) seenSet.delete(seen.shift()!);
  };

  setHandler(leadEventSignal, (event) => {
    if (!event || typeof event.eventId !== 'string' || !EVENT_KINDS.includes(event.kind)) {
      log.warn('dropped a malformed lead event', { email: state.email, kind: String(event?.kind) });
      return;
    }
    if (seenSet.has(event.eventId)) {
      log.info('dropped a duplicate lead event', { eventId: event.eventId, kind: event.kind });
      return;
    }
    remember(event.eventId);
    queue.push({ event: { ...event, seq: ++sequence } });
    publish(state.status === 'blocked' ? 'blocked' : 'pending');
  });

  const retryFailed = ({ eventIds }: { eventIds?: string[] } = {}) => {
    const chosen = state.failed.filter((f) => !eventIds || eventIds.includes(f.event.eventId));
    state.failed = state.failed.filter((f) => !chosen.includes(f));
    for (const f of chosen) queue.push({ event: f.event, replay: true });
    publish(state.status === 'blocked' ? 'blocked' : 'pending');
  };
  setHandler(retryFailedSignal, (request) => {
    if (loaded) retryFailed(request);
    else deferredRetries.push(request ?? {});
  });

  setHandler(connectionRestoredSignal, () => {
    restored = true;
  });

  setHandler(leadStateQuery, () => state);

  /** Waits, without spending HubSpot calls, until the portal's connection says it works again. */
  const park = async (reason: string) => {
    publish('blocked');
    log.warn('lead parked until the HubSpot connection recovers', { email: state.email, reason });
    restored = false;
    try {
      await getExternalWorkflowHandle(connectionWorkflowId(state.portalId)).signal(parkLeadSignal, {
        workflowId: workflowInfo().workflowId,
      });
    } catch (err) {
      log.warn('could not reach the connection workflow; re-checking on a timer', { error: String(err) });
    }
    await condition(() => restored, PARK_RECHECK_MS);
  };

  const applyWrite = async (batch: WriteBatch) => {
    if (batch.replay && batch.seq < deletedAtSeq) return;
    const properties = Object.fromEntries(
      Object.entries(batch.properties).filter(([name]) => !batch.replay || (writtenAt[name] ?? 0) <= batch.seq),
    );
    if (Object.keys(properties).length === 0) return;
    const result = await hubspot.upsertContact({ portalId: state.portalId, email: state.email, properties });
    state.hubspotId = result.id;
    state.deleted = false;
    for (const [name, value] of Object.entries(result.properties)) {
      state.properties[name] = value;
      writtenAt[name] = Math.max(writtenAt[name] ?? 0, batch.seq);
    }
  };

  const applyOne = async (event: SingleEvent) => {
    const base = { portalId: state.portalId, email: state.email };
    switch (event.kind) {
      case 'unsubscribe': {
        const change = {
          subscriptionId: event.subscriptionId,
          legalBasis: event.legalBasis,
          legalBasisExplanation: event.legalBasisExplanation,
        };
        await hubspot.unsubscribeLead({ ...base, ...change });
        if (event.subscriptionId === undefined) state.subscription.unsubscribedFromAll = true;
        else if (!state.subscription.unsubscribed.includes(event.subscriptionId))
          state.subscription.unsubscribed.push(event.subscriptionId);
        return;
      }
      case 'resubscribe': {
        const change = {
          subscriptionId: event.subscriptionId,
          legalBasis: event.legalBasis,
          legalBasisExplanation: event.legalBasisExplanation,
        };
        const result = await hubspot.resubscribeLead({
          ...base,
          ...change,
          unsubscribed: state.subscription.unsubscribed,
          unsubscribedFromAll: state.subscription.unsubscribedFromAll,
        });
        state.subscription.unsubscribed = state.subscription.unsubscribed.filter(
          (id) => !result.resubscribed.includes(id),
        );
        if (event.subscriptionId === undefined) state.subscription.unsubscribedFromAll = false;
        return;
      }
      case 'delete': {
        await hubspot.deleteLead(base);
        state.deleted = true;
        state.hubspotId = undefined;
        state.properties = {};
        // Forgotten means forgotten: older failed events (and the personal data in them) are dropped, never replayed.
        deletedAtSeq = event.seq ?? sequence;
        state.failed = state.failed.filter((f) => (f.event.seq ?? 0) > deletedAtSeq);
        for (const name of Object.keys(writtenAt)) delete writtenAt[name];
        return;
      }
      case 'resync': {
        const result = await hubspot.resyncLead({
          ...base,
          properties: state.properties,
          subscription: state.subscription,
          deleted: state.deleted,
        });
        state.hubspotId = result.id;
        return;
      }
    }
  };

  const recordFailure = (events: LeadEvent[], err: unknown) => {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const errorType = cause instanceof ApplicationFailure ? (cause.type ?? 'Unknown') : 'Unknown';
    const message = cause instanceof Error ? cause.message : String(cause);
    for (const event of events) state.failed.push({ event, errorType, message, failedAt: now() });
    if (state.failed.length > MAX_FAILED) {
      log.warn('too many failed events kept; dropping the oldest', { dropped: state.failed.length - MAX_FAILED });
      state.failed.splice(0, state.failed.length - MAX_FAILED);
    }
    log.warn('lead event failed for good', { email: state.email, kinds: events.map((e) => e.kind), errorType });
  };

  const isAuthFailure = (err: unknown) => {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    return cause instanceof ApplicationFailure && cause.type === FailureType.HubSpotAuth;
  };

  /** Applies one step; waits out a broken connection and retries the same step, so nothing is skipped. */
  /** What became of a step: done, failed for good, or handed back because the run must continue-as-new first. */
  type Outcome = { done: true } | { done: false; error: unknown } | { requeue: true };

  /** Applies one step; waits out a broken connection and retries the same step, so nothing is skipped. */
  const attempt = async (step: NextStep): Promise<Outcome> => {
    for (;;) {
      try {
        if (step.kind === 'write') await applyWrite(step.batch);
        else await applyOne(step.event);
        state.lastSyncedAt = now();
        return { done: true };
      } catch (err) {
        if (!isAuthFailure(err)) return { done: false, error: err };
        await park(err instanceof Error ? err.message : String(err));
        // A lead parked for days keeps adding timer events; its step goes back to the queue for the next run.
        if (historyTooLong()) return { requeue: true };
      }
    }
  };

  const singleWrite = (event: WriteBatch['events'][number], replay: boolean): NextStep => ({
    kind: 'write',
    batch: { properties: event.properties, seq: event.seq ?? 0, replay, events: [event] },
  });

  const processNext = async () => {
    const next = takeNext(queue);
    const events: LeadEvent[] = next.kind === 'write' ? next.batch.events : [next.event];
    const replay = next.kind === 'write' && next.batch.replay;
    const outcome = await attempt(next);
    if ('requeue' in outcome) {
      queue.unshift(...events.map((event) => ({ event, replay })));
      return;
    }
    if (!outcome.done && next.kind === 'write' && next.batch.events.length > 1) {
      // One bad property in a folded write must not fail the events around it: apply them one by one.
      for (const [i, event] of next.batch.events.entries()) {
        const single = await attempt(singleWrite(event, replay));
        if ('requeue' in single) {
          queue.unshift(...next.batch.events.slice(i).map((e) => ({ event: e, replay })));
          state.processedEvents += i;
          publish();
          return;
        }
        if (!single.done) recordFailure([event], single.error);
      }
    } else if (!outcome.done) {
      recordFailure(events, outcome.error);
    }
    state.processedEvents += events.length;
    publish();
  };

  const historyTooLong = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  if (!input.carried) {
    // Continuity is a convenience: if the previous run cannot be read, this run starts fresh rather than fail.
    const previous = await bookkeeping
      .loadPreviousLeadState({ workflowId: workflowInfo().workflowId, runId: workflowInfo().runId })
      .catch((err: unknown) => {
        log.warn('could not load the previous run of this lead; starting fresh', { error: String(err) });
        return undefined;
      });
    if (previous) {
      state.hubspotId = previous.hubspotId;
      state.deleted = previous.deleted;
      state.properties = previous.properties;
      state.subscription = previous.subscription;
      state.failed = [...previous.failed, ...state.failed];
      state.processedEvents = previous.processedEvents;
      state.lastSyncedAt = previous.lastSyncedAt;
      state.createdAt = previous.createdAt;
      Object.assign(writtenAt, previous.writtenAt);
      deletedAtSeq = previous.deletedAtSeq;
      // This run's events arrived after everything the previous run saw: number them after it.
      for (const q of queue) q.event.seq = (q.event.seq ?? 0) + previous.sequence;
      sequence += previous.sequence;
      // Events signalled with this run's start may repeat ones the previous run already applied.
      const applied = new Set(previous.seenEventIds);
      for (let i = queue.length - 1; i >= 0; i--)
        if (queue[i] && applied.has(queue[i]!.event.eventId)) queue.splice(i, 1);
      const current = seen.splice(0);
      seenSet.clear();
      for (const id of [...previous.seenEventIds, ...current]) if (!seenSet.has(id)) remember(id);
    }
  }
  loaded = true;
  for (const request of deferredRetries.splice(0)) retryFailed(request);
  publish();
  for (;;) {
    const hasWork = await condition(() => queue.length > 0 || historyTooLong(), input.idleTimeoutMs ?? DEFAULT_IDLE_MS);
    if (historyTooLong()) break;
    if (!hasWork) {
      await condition(allHandlersFinished);
      if (queue.length === 0) return { ...state, seenEventIds: seen, sequence, writtenAt, deletedAtSeq };
      continue;
    }
    await processNext();
  }
  await condition(allHandlersFinished);
  return continueAsNew<typeof leadSync>({
    ...input,
    carried: { state, queue, seenEventIds: seen, writtenAt, sequence, deletedAtSeq },
  });
}
