import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChangeActivities } from '../activities/changes.js';
import {
  ROUTE_BATCH,
  type ChangeFeedInput,
  type ChangeFeedSettings,
  type ChangeFeedState,
  type InboundChange,
} from '../shared/change-types.js';
import { failureOf } from '../shared/failures.js';
import { changeFeedQuery, changeFeedSettingsSignal, inboundChangesSignal } from '../shared/messages.js';

// Routing and polling only read (visibility, HubSpot search) and signal leads: retried for as long as it takes.
const feed = proxyActivities<ChangeActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

const ROUTE_LANES = 4;
/** A continue-as-new carries at most this many unrouted changes (well under the 2 MiB input limit). */
const CARRY_MAX = 1_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 5 * 60_000;

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
  let pollDueAt = settings.poll ? (input.nextPollAt ?? Date.now()) : Infinity;
  let failures = 0;
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

  /** Up to ROUTE_LANES batches at once: a burst of webhooks (a bulk edit in HubSpot) drains in parallel. */
  const routeSome = async () => {
    const batches: InboundChange[][] = [];
    for (let i = 0; i < ROUTE_LANES && i * ROUTE_BATCH < backlog.length; i++) {
      batches.push(backlog.slice(i * ROUTE_BATCH, (i + 1) * ROUTE_BATCH));
    }
    const results = await Promise.all(
      batches.map((changes) => feed.routeChanges({ portalId: input.portalId, changes, deliver: settings.deliver })),
    );
    backlog.splice(
      0,
      batches.reduce((n, b) => n + b.length, 0),
    );
    for (const result of results) {
      state.routed += result.routed;
      state.unrouted += result.unrouted;
    }
  };

  const pollOnce = async (poll: NonNullable<ChangeFeedSettings['poll']>) => {
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
  };

  const historyTooLong = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  for (;;) {
    // The backlog is routed before a continue-as-new: carried, a burst of webhooks could outgrow the input limit.
    if (historyTooLong() && backlog.length <= CARRY_MAX) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof hubspotChanges>({
        ...input,
        settings,
        cursor: state.cursor,
        nextPollAt: pollDueAt === Infinity ? undefined : pollDueAt,
        backlog,
      });
    }
    try {
      if (backlog.length > 0) {
        await routeSome();
        failures = 0;
        continue;
      }
      const poll = settings.poll;
      if (poll && Date.now() >= pollDueAt) {
        await pollOnce(poll);
        failures = 0;
        continue;
      }
    } catch (err) {
      // Nothing may end this workflow: what HubSpot was told it received lives here. A broken connection or an
      // unexpected answer waits and tries again; the backlog and the cursor stay.
      failures += 1;
      const failure = failureOf(err);
      log.warn('change feed step failed; trying again later', { errorType: failure.type, failures });
      await condition(historyTooLong, Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(failures, 10)));
      continue;
    }
    const due = pollDueAt;
    const wake = () => backlog.length > 0 || historyTooLong() || pollDueAt !== due;
    if (due === Infinity) await condition(wake);
    else await condition(wake, Math.max(1, due - Date.now()));
  }
}
