/**
 * Email communication preferences, one shape over both API versions. Unsubscribing an address that is
 * already unsubscribed counts as success (`changed: false`): a Temporal retry after a lost answer must
 * not turn into a failure.
 *
 * Version differences that cannot be hidden:
 * - v3 has no "unsubscribe from all"; it is done as one unsubscribe per subscription definition.
 * - v3 cannot resubscribe an address that opted out; that answer becomes a HubSpotRejected saying so.
 * - v3 reports `NOT_SUBSCRIBED` for both "unsubscribed" and "never subscribed"; it maps to `UNSUBSCRIBED`.
 */
import { FailureType } from '../shared/failure-types.js';
import { HubSpotError, invalidInput } from './errors.js';
import type { CallOptions, Http } from './http.js';
import type { CommPrefsPaths2026, CommPrefsPathsV3 } from './paths.js';
import {
  DefinitionsResponse2026Schema,
  DefinitionsResponseV3Schema,
  StatusesResponse2026Schema,
  StatusesResponseV3Schema,
  SubscriptionStatusV3Schema,
  type LegalBasis,
  type PublicStatus,
  type SubscriptionDefinition,
} from './schemas.js';

export type { SubscriptionDefinition, LegalBasis } from './schemas.js';

export type SubscriptionState = 'SUBSCRIBED' | 'UNSUBSCRIBED' | 'NOT_SPECIFIED';

export interface SubscriptionStatusEntry {
  subscriptionId: string;
  name?: string;
  status: SubscriptionState;
  /** Where the status comes from (v3 `sourceOfStatus`, 2026-03 `source`). */
  source?: string;
}

export interface EmailSubscriptionStatuses {
  email: string;
  statuses: SubscriptionStatusEntry[];
}

export interface LegalBasisInput {
  legalBasis?: LegalBasis;
  legalBasisExplanation?: string;
}

export interface SubscriptionChangeInput extends LegalBasisInput {
  email: string;
  subscriptionId: string;
}

export interface SubscriptionChange {
  subscriptionId: string;
  /** False when the address already had the requested status. */
  changed: boolean;
}

export interface UnsubscribeAllResult {
  changed: boolean;
  /** Subscriptions HubSpot reported (2026-03) or that were unsubscribed one by one (v3). */
  subscriptionIds: string[];
}

export interface SubscriptionsApi {
  definitions(opts?: CallOptions): Promise<SubscriptionDefinition[]>;
  statusByEmail(email: string, opts?: CallOptions): Promise<EmailSubscriptionStatuses>;
  unsubscribe(input: SubscriptionChangeInput, opts?: CallOptions): Promise<SubscriptionChange>;
  unsubscribeAll(input: LegalBasisInput & { email: string }, opts?: CallOptions): Promise<UnsubscribeAllResult>;
  resubscribe(input: SubscriptionChangeInput, opts?: CallOptions): Promise<SubscriptionChange>;
}

const ALREADY_UNSUBSCRIBED = /already (been )?unsubscribed|NO_STATUS_CHANGE/i;
const ALREADY_SUBSCRIBED = /already (been )?subscribed|NO_STATUS_CHANGE/i;
const OPTED_OUT = /opt(ed)?[ -]?out|unsubscribed|resubscribe/i;

function answerMentions(err: unknown, pattern: RegExp): boolean {
  if (!(err instanceof HubSpotError) || err.status === undefined) return false;
  if (err.status < 400 || err.status >= 500 || err.status === 429) return false;
  return [err.message, err.category, err.subCategory].some((text) => text !== undefined && pattern.test(text));
}

function legal(input: LegalBasisInput): LegalBasisInput {
  const out: LegalBasisInput = {};
  if (input.legalBasis !== undefined) out.legalBasis = input.legalBasis;
  if (input.legalBasisExplanation !== undefined) out.legalBasisExplanation = input.legalBasisExplanation;
  return out;
}

function requireEmail(email: string): string {
  const trimmed = email.trim();
  if (!trimmed.includes('@')) throw invalidInput(`Not an email address: "${email}"`);
  return trimmed;
}

/** 2026-03 types subscription ids as int64; v3 as strings. The public API uses strings for both. */
function numericId(subscriptionId: string): number {
  const n = Number(subscriptionId);
  if (!/^\d+$/.test(subscriptionId) || !Number.isSafeInteger(n)) {
    throw invalidInput(`Subscription id must be a number, got "${subscriptionId}"`);
  }
  return n;
}

function wasChanged(results: readonly PublicStatus[]): boolean {
  return results.some((r) => r.setStatusSuccessReason !== 'NO_STATUS_CHANGE');
}

function createApi2026(http: Http, paths: CommPrefsPaths2026): SubscriptionsApi {
  const setStatus = async (
    input: SubscriptionChangeInput,
    statusState: 'SUBSCRIBED' | 'UNSUBSCRIBED',
    opts: CallOptions,
  ): Promise<SubscriptionChange> => {
    const email = requireEmail(input.email);
    try {
      const res = await http.send({
        op: statusState === 'SUBSCRIBED' ? 'subscriptions.resubscribe' : 'subscriptions.unsubscribe',
        method: 'POST',
        path: paths.statuses(email),
        json: { channel: 'EMAIL', statusState, subscriptionId: numericId(input.subscriptionId), ...legal(input) },
        auth: 'bearer',
        budget: 'api',
        schema: StatusesResponse2026Schema,
        signal: opts.signal,
      });
      return { subscriptionId: input.subscriptionId, changed: wasChanged(res.body.results) };
    } catch (err) {
      const already = statusState === 'SUBSCRIBED' ? ALREADY_SUBSCRIBED : ALREADY_UNSUBSCRIBED;
      if (answerMentions(err, already)) return { subscriptionId: input.subscriptionId, changed: false };
      throw err;
    }
  };

  return {
    async definitions(opts = {}) {
      const res = await http.send({
        op: 'subscriptions.definitions',
        method: 'GET',
        path: paths.definitions,
        auth: 'bearer',
        budget: 'api',
        schema: DefinitionsResponse2026Schema,
        signal: opts.signal,
      });
      return res.body.results;
    },

    async statusByEmail(email, opts = {}) {
      const address = requireEmail(email);
      const res = await http.send({
        op: 'subscriptions.statusByEmail',
        method: 'GET',
        path: paths.statuses(address),
        query: { channel: 'EMAIL' },
        auth: 'bearer',
        budget: 'api',
        schema: StatusesResponse2026Schema,
        signal: opts.signal,
      });
      return {
        email: address,
        statuses: res.body.results.map((r) => ({
          subscriptionId: String(r.subscriptionId),
          name: r.subscriptionName,
          status: r.status,
          source: r.source,
        })),
      };
    },

    unsubscribe: (input, opts = {}) => setStatus(input, 'UNSUBSCRIBED', opts),
    resubscribe: (input, opts = {}) => setStatus(input, 'SUBSCRIBED', opts),

    async unsubscribeAll(input, opts = {}) {
      const email = requireEmail(input.email);
      try {
        const res = await http.send({
          op: 'subscriptions.unsubscribeAll',
          method: 'POST',
          path: paths.unsubscribeAll(email),
          // The spec gives this operation no request body, so no legal basis. Without `verbose` HubSpot lists
          // nothing, and the answer could not say whether anything changed.
          query: { channel: 'EMAIL', verbose: 'true' },
          auth: 'bearer',
          budget: 'api',
          schema: StatusesResponse2026Schema,
          signal: opts.signal,
        });
        return {
          changed: wasChanged(res.body.results),
          subscriptionIds: res.body.results.map((r) => String(r.subscriptionId)),
        };
      } catch (err) {
        if (answerMentions(err, ALREADY_UNSUBSCRIBED)) return { changed: false, subscriptionIds: [] };
        throw err;
      }
    },
  };
}

function createApiV3(http: Http, paths: CommPrefsPathsV3): SubscriptionsApi {
  const post = (op: string, path: string, input: SubscriptionChangeInput, opts: CallOptions): Promise<unknown> =>
    http.send({
      op,
      method: 'POST',
      path,
      json: { emailAddress: requireEmail(input.email), subscriptionId: input.subscriptionId, ...legal(input) },
      auth: 'bearer',
      budget: 'api',
      schema: SubscriptionStatusV3Schema,
      signal: opts.signal,
    });

  const api: SubscriptionsApi = {
    async definitions(opts = {}) {
      const res = await http.send({
        op: 'subscriptions.definitions',
        method: 'GET',
        path: paths.definitions,
        auth: 'bearer',
        budget: 'api',
        schema: DefinitionsResponseV3Schema,
        signal: opts.signal,
      });
      return res.body.subscriptionDefinitions;
    },

    async statusByEmail(email, opts = {}) {
      const address = requireEmail(email);
      const res = await http.send({
        op: 'subscriptions.statusByEmail',
        method: 'GET',
        path: paths.status(address),
        auth: 'bearer',
        budget: 'api',
        schema: StatusesResponseV3Schema,
        signal: opts.signal,
      });
      return {
        email: address,
        statuses: res.body.subscriptionStatuses.map((s) => ({
          subscriptionId: s.id,
          name: s.name,
          status: s.status === 'SUBSCRIBED' ? 'SUBSCRIBED' : 'UNSUBSCRIBED',
          source: s.sourceOfStatus,
        })),
      };
    },

    async unsubscribe(input, opts = {}) {
      try {
        await post('subscriptions.unsubscribe', paths.unsubscribe, input, opts);
        return { subscriptionId: input.subscriptionId, changed: true };
      } catch (err) {
        if (answerMentions(err, ALREADY_UNSUBSCRIBED)) return { subscriptionId: input.subscriptionId, changed: false };
        throw err;
      }
    },

    async unsubscribeAll(input, opts = {}) {
      const email = requireEmail(input.email);
      const definitions = await api.definitions(opts);
      let changed = false;
      // One at a time: each is a write against the same budget, and a retry after a partial run is safe
      // because the ones already done answer "already unsubscribed".
      for (const def of definitions) {
        const result = await api.unsubscribe({ ...input, email, subscriptionId: def.id }, opts);
        changed ||= result.changed;
      }
      return { changed, subscriptionIds: definitions.map((d) => d.id) };
    },

    async resubscribe(input, opts = {}) {
      try {
        await post('subscriptions.resubscribe', paths.subscribe, input, opts);
        return { subscriptionId: input.subscriptionId, changed: true };
      } catch (err) {
        if (answerMentions(err, ALREADY_SUBSCRIBED)) return { subscriptionId: input.subscriptionId, changed: false };
        const permanent = err instanceof HubSpotError && !err.retryable && err.status === 400;
        if (permanent && answerMentions(err, OPTED_OUT)) {
          throw new HubSpotError({
            type: FailureType.HubSpotRejected,
            retryable: false,
            status: err.status,
            category: err.category,
            correlationId: err.correlationId,
            message:
              'The v3 Communication Preferences API cannot resubscribe an address that opted out; ' +
              `use HUBSPOT_API_VERSION=2026-03 to resubscribe. ${err.message}`,
            details: { ...err.details, reason: 'V3_CANNOT_RESUBSCRIBE' },
          });
        }
        throw err;
      }
    },
  };
  return api;
}

export function createSubscriptionsApi(http: Http, paths: CommPrefsPaths2026 | CommPrefsPathsV3): SubscriptionsApi {
  return paths.version === 'v3' ? createApiV3(http, paths) : createApi2026(http, paths);
}
