/**
 * Maps a batch-upsert answer (200, or 207 with `errors[]`) back to the inputs, in input order. HubSpot
 * returns results in no promised order and names failed inputs only inside each error's `context` or
 * message, so matching is by email; an input nothing can be matched to still gets a result, never dropped.
 */
import { FailureType } from '../shared/failure-types.js';
import { classifyBatchError, HubSpotError } from './errors.js';
import type { BatchUpsertResponse, ErrorBody } from './schemas.js';

export type UpsertResult =
  | {
      ok: true;
      email: string;
      id: string;
      isNew: boolean;
      properties: Record<string, string | null>;
      /** HubSpot's time of the write (ISO 8601). */
      updatedAt: string;
    }
  | { ok: false; email: string; error: HubSpotError };

type BatchError = NonNullable<BatchUpsertResponse['errors']>[number];

/** Every string an error points at: `context` values (e.g. `ids`, `emails`) and those of its sub-errors. */
function referencedValues(error: ErrorBody): string[] {
  const out: string[] = [];
  const collect = (context: unknown): void => {
    if (context === null || typeof context !== 'object') return;
    for (const value of Object.values(context)) {
      if (typeof value === 'string') out.push(value);
      else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') out.push(v);
    }
  };
  collect(error.context);
  for (const sub of error.errors ?? []) {
    if (sub !== null && typeof sub === 'object' && 'context' in sub) collect(sub.context);
  }
  if (error.id) out.push(error.id);
  return out;
}

function unattributed(errors: BatchError[], status: number): HubSpotError {
  const first = classifyBatchError(errors[0] ?? {});
  const messages = errors.map((e) => e.message ?? e.category ?? 'unknown error').join(' | ');
  return new HubSpotError({
    type: first.type,
    retryable: first.retryable,
    status,
    category: first.category,
    correlationId: first.correlationId,
    message: `HubSpot batch upsert failed for this input (error not attributable to a single input): ${messages}`,
    details: { errors },
  });
}

export function mapUpsertResults(emails: readonly string[], body: BatchUpsertResponse, status: number): UpsertResult[] {
  const slots: (UpsertResult | undefined)[] = emails.map(() => undefined);
  const indexOf = new Map(emails.map((email, i) => [email.toLowerCase(), i]));
  const unmatchedResults: BatchUpsertResponse['results'] = [];
  const unmappedErrors: BatchError[] = [];

  for (const result of body.results) {
    const i = indexOf.get((result.properties.email ?? '').toLowerCase());
    if (i === undefined || slots[i]) {
      unmatchedResults.push(result);
      continue;
    }
    slots[i] = {
      ok: true,
      email: emails[i] ?? '',
      id: result.id,
      isNew: result.new,
      properties: result.properties,
      updatedAt: result.updatedAt,
    };
  }

  for (const error of body.errors ?? []) {
    let targets = referencedValues(error)
      .map((v) => indexOf.get(v.toLowerCase()))
      .filter((i): i is number => i !== undefined);
    if (targets.length === 0) {
      const message = (error.message ?? '').toLowerCase();
      targets = emails.flatMap((email, i) => (message.includes(email.toLowerCase()) ? [i] : []));
    }
    const free = [...new Set(targets)].filter((i) => !slots[i]);
    if (free.length === 0) {
      unmappedErrors.push(error);
      continue;
    }
    for (const i of free) slots[i] = { ok: false, email: emails[i] ?? '', error: classifyBatchError(error) };
  }

  const missing = slots.flatMap((slot, i) => (slot ? [] : [i]));
  const onlyMissing = missing.length === 1 ? missing[0] : undefined;
  if (onlyMissing !== undefined) {
    // One input left and one thing left to explain it: they belong together.
    const email = emails[onlyMissing] ?? '';
    const [result] = unmatchedResults;
    const [error] = unmappedErrors;
    if (result && unmatchedResults.length === 1 && unmappedErrors.length === 0) {
      slots[onlyMissing] = {
        ok: true,
        email,
        id: result.id,
        isNew: result.new,
        properties: result.properties,
        updatedAt: result.updatedAt,
      };
    } else if (error && unmappedErrors.length === 1 && unmatchedResults.length === 0) {
      slots[onlyMissing] = { ok: false, email, error: classifyBatchError(error) };
    }
  }

  return slots.map((slot, i) => {
    if (slot) return slot;
    const email = emails[i] ?? '';
    if (unmappedErrors.length > 0 && unmatchedResults.length === 0) {
      return { ok: false, email, error: unattributed(unmappedErrors, status) };
    }
    // Either HubSpot skipped the input or we cannot tell which answer is its: do not guess.
    return {
      ok: false,
      email,
      error: new HubSpotError({
        type: FailureType.HubSpotBadResponse,
        retryable: false,
        status,
        message: `HubSpot batch upsert answer has no result attributable to input ${i}`,
        details: { unmatchedResults: unmatchedResults.length, unmappedErrors: unmappedErrors.length },
      }),
    };
  });
}
