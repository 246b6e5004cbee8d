import { z } from 'zod';
import type { FailedEvent, LeadState } from '../shared/lead-types.js';
import { emailSchema, eventIdValue, LeadInputError } from './schemas.js';

/** The most leads one batch call takes: a CSV import sends its rows in batches of this size or less. */
export const MAX_BATCH_ITEMS = 500;

export type BatchItemResult =
  | { index: number; accepted: true; workflowId: string; eventId: string }
  | { index: number; accepted: false; error: 'invalid_input'; issues: LeadInputError['issues'] }
  /** Temporal did not take the event (unreachable, overloaded): the same item may simply be sent again. */
  | { index: number; accepted: false; error: 'unavailable'; message: string };

export type EventOutcomeName = 'pending' | 'blocked' | 'synced' | 'failed' | 'unknown';

export interface EventOutcome {
  email: string;
  eventId: string;
  /**
   * `synced`: applied to HubSpot, or dropped as a repeat of one that was. `blocked`: waiting for the portal's
   * connection. `unknown`: the lead is not held here (never seen, or forgotten by a GDPR delete).
   */
  outcome: EventOutcomeName;
  failure?: Pick<FailedEvent, 'errorType' | 'message'>;
}

/**
 * Items of one email run one after the other, in the order given, so a batch keeps each lead's events in order;
 * different emails run side by side, at most `concurrency` at a time.
 */
export async function inOrderPerEmail<T>(
  items: Array<{ email: string; run: () => Promise<T> }>,
  concurrency: number,
): Promise<T[]> {
  const chains = new Map<string, number[]>();
  items.forEach((item, i) => {
    const chain = chains.get(item.email) ?? [];
    chain.push(i);
    chains.set(item.email, chain);
  });
  const results = new Array<T>(items.length);
  const queue = [...chains.values()];
  const lane = async () => {
    for (let chain = queue.shift(); chain; chain = queue.shift()) {
      for (const i of chain) results[i] = await items[i]!.run();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, lane));
  return results;
}

/** Where one event stands in its lead's state, read by a (strongly consistent) query after Temporal took it. */
export function outcomeIn(
  /** `unreadable`: the lead's query failed just now. */
  state: LeadState | undefined | 'unreadable',
  email: string,
  eventId: string,
): EventOutcome {
  if (state === 'unreadable') return { email, eventId, outcome: 'pending' };
  if (!state) return { email, eventId, outcome: 'unknown' };
  const failed = state.failed.find((f) => f.event.eventId === eventId);
  if (failed)
    return { email, eventId, outcome: 'failed', failure: { errorType: failed.errorType, message: failed.message } };
  if (state.pending.some((p) => p.eventId === eventId)) {
    return { email, eventId, outcome: state.status === 'blocked' ? 'blocked' : 'pending' };
  }
  return { email, eventId, outcome: 'synced' };
}

/** A batch item that is not an object, or a batch that is not a list, named like any other bad input. */
export function batchOf(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new LeadInputError([{ field, message: 'must be a list' }]);
  if (value.length === 0) throw new LeadInputError([{ field, message: 'must not be empty' }]);
  if (value.length > MAX_BATCH_ITEMS) {
    throw new LeadInputError([{ field, message: `must have at most ${MAX_BATCH_ITEMS} items` }]);
  }
  return value;
}

export const eventOutcomesInput = z
  .object({
    events: z.array(z.object({ email: emailSchema, eventId: eventIdValue }).strict()),
  })
  .strict();
