import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChangeActivities } from '../activities/changes.js';
import type { ChangeFeedInput, ChangeFeedSettings, ChangeFeedState, InboundChange } from '../shared/change-types.js';
import { changeFeedQuery, changeFeedSettingsSignal, inboundChangesSignal } from '../shared/messages.js';

// Routing and polling only read (visibility, HubSpot search) and signal leads: retried for as long as it takes.
const feed = proxyActivities<ChangeActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** Changes routed per activity: one visibility query and one HubSpot batch read at most. */
const ROUTE_BATCH = 100;

/**
 * One portal's changes coming back from HubSpot. Webhook batches arrive as signals (durable before HubSpot gets its
 * 2xx) and are routed to their leads' workflows; where there are no webhooks it polls CRM search on a durable
 * cursor. The leads themselves drop repeats and echoes.
 */
export async function hubspotChanges(input: ChangeFeedInput): Promise<never> {
  const backlog: InboundChange[] = [...(input.backlog ?? [])];
  let settings: ChangeFeedSettings = input.settings;
  const state: ChangeFeedState = {
    portalId: input.portalId,
    polling: false,
    cursor: input.cursor,
    backlog: 0,
    received: 0,
    routed: 0,
    unrouted: 0,
    polls: 0,
    searchCalls: 0,
  };
  let pollDueAt = settings.poll ? Date.now() : Infinity;
  setHandler(inboundChangesSignal, ({ changes }) => {
    const list = Array.isArray(changes) ? changes : [];
    backlog.push(...list);
    state.received += list.length;
  });
  setHandler(changeFeedSettingsSignal, (next) => {
    const interval = next.poll?.intervalMs;
    if (interval !== settings.poll?.intervalMs) pollDueAt = interval ? Date.now() : Infinity;
    settings = next;
  });
  setHandler(changeFeedQuery, () => ({ ...state, polling: settings.poll !== undefined, backlog: backlog.length }));

  const historyTooLong = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  for (;;) {
    if (historyTooLong()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof hubspotChanges>({ ...input, settings, cursor: state.cursor, backlog });
    }
    if (backlog.length > 0) {
      const batch = backlog.slice(0, ROUTE_BATCH);
      const result = await feed.routeChanges({ portalId: input.portalId, changes: batch, deliver: settings.deliver });
      backlog.splice(0, batch.length);
      state.routed += result.routed;
      state.unrouted += result.unrouted;
      continue;
    }
    const poll = settings.poll;
    if (poll && Date.now() >= pollDueAt) {
      const result = await feed.pollChanges({
        portalId: input.portalId,
        cursor: state.cursor,
        settleMs: poll.settleMs,
        properties: poll.properties,
        deliver: settings.deliver,
      });
      state.cursor = result.cursor;
      state.polls += 1;
      state.searchCalls += result.searchCalls;
      state.routed += result.routed;
      state.unrouted += result.unrouted;
      state.lastPollAt = new Date().toISOString();
      if (!result.more) pollDueAt = Date.now() + poll.intervalMs;
      continue;
    }
    const due = pollDueAt;
    const wake = () => backlog.length > 0 || historyTooLong() || pollDueAt !== due;
    if (due === Infinity) await condition(wake);
    else await condition(wake, Math.max(1, due - Date.now()));
  }
}
