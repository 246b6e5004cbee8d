import { log } from '@temporalio/activity';
import type { UpsertInput, UpsertResult } from '../hubspot/contacts.js';
import type { LeadProperties, LeadRunResult, LeadSubscriptionState, SubscriptionChange } from '../shared/lead-types.js';
import { classified } from './failures.js';
import { withPortalAuth, type PortalClients } from './portal.js';
import { createUpsertBatcher } from './upsert-batcher.js';
import { HubSpotError } from '../hubspot/errors.js';
import { FailureType } from '../shared/failure-types.js';

export interface LeadActivityDeps {
  portal: (portalId: string) => PortalClients;
  /** Coalescing window for batch upserts across leads; 0 sends each write alone. */
  upsertBatchWaitMs?: number;
  /** The final state of the lead's last completed run, if any. */
  previousState?: (workflowId: string, currentRunId: string) => Promise<LeadRunResult | undefined>;
}

interface LeadRef {
  portalId: string;
  email: string;
}

/** HubSpot stores every property as a string; booleans as `true`/`false`. */
export function toHubSpotProperties(properties: LeadProperties): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, String(v)]));
}

const batcherUpsert = (batcher: ReturnType<typeof createUpsertBatcher>) => (input: UpsertInput) =>
  batcher.upsert(input);

/** Kept well under the lead activities' 30-second start-to-close timeout. */
const WRITE_DEADLINE_MS = 20_000;

export function createLeadActivities(deps: LeadActivityDeps) {
  const batchers = new Map<string, (input: UpsertInput) => Promise<UpsertResult>>();
  const upsertFor = (portal: PortalClients) => {
    let upsert = batchers.get(portal.portalId);
    if (!upsert) {
      const sendOnce = (inputs: UpsertInput[]) =>
        withPortalAuth(portal, () =>
          // Past this deadline the activity may already be retried elsewhere; a late write could land after a newer one.
          portal.contacts.batchUpsertByEmail(inputs, { signal: AbortSignal.timeout(WRITE_DEADLINE_MS) }),
        );
      const send = async (inputs: UpsertInput[]): Promise<UpsertResult[]> => {
        try {
          return await sendOnce(inputs);
        } catch (err) {
          // HubSpot may reject a whole batch for one bad input: find out whose it is rather than fail every lead.
          if (
            inputs.length < 2 ||
            !(err instanceof HubSpotError) ||
            err.retryable ||
            err.type === FailureType.HubSpotAuth
          )
            throw err;
          return Promise.all(
            inputs.map((input) =>
              sendOnce([input]).then(
                (results) => results[0]!,
                (error: unknown): UpsertResult => {
                  if (error instanceof HubSpotError && !error.retryable)
                    return { ok: false, email: input.email, error };
                  throw error;
                },
              ),
            ),
          );
        }
      };
      upsert =
        deps.upsertBatchWaitMs === 0
          ? async (input) => (await send([input]))[0]!
          : batcherUpsert(
              createUpsertBatcher({ send, maxWaitMs: deps.upsertBatchWaitMs, maxQueueMs: WRITE_DEADLINE_MS }),
            );
      batchers.set(portal.portalId, upsert);
    }
    return upsert;
  };

  const upsert = async (portal: PortalClients, email: string, properties: Record<string, string>) => {
    const result = await upsertFor(portal)({ email, properties: { ...properties, email } });
    if (!result.ok) throw result.error;
    const written = Object.fromEntries(Object.entries(properties).filter(([k]) => k !== 'email'));
    return { id: result.id, isNew: result.isNew, properties: written };
  };

  const unsubscribe = async (portal: PortalClients, input: LeadRef & SubscriptionChange) => {
    const legal = { legalBasis: input.legalBasis, legalBasisExplanation: input.legalBasisExplanation };
    if (input.subscriptionId === undefined) {
      const result = await withPortalAuth(portal, () =>
        portal.subscriptions.unsubscribeAll({ email: input.email, ...legal }),
      );
      return { changed: result.changed };
    }
    const subscriptionId = input.subscriptionId;
    const result = await withPortalAuth(portal, () =>
      portal.subscriptions.unsubscribe({ email: input.email, subscriptionId, ...legal }),
    );
    return { changed: result.changed };
  };

  return {
    /** What the lead's previous (completed) run knew, so a new run continues from it. */
    async loadPreviousLeadState(input: { workflowId: string; runId: string }): Promise<LeadRunResult | undefined> {
      return deps.previousState ? deps.previousState(input.workflowId, input.runId) : undefined;
    },

    /** Creates or updates the contact by email through batch upsert, so a retried write never duplicates it. */
    async upsertContact(
      input: LeadRef & { properties: LeadProperties },
    ): Promise<{ id: string; isNew: boolean; properties: Record<string, string> }> {
      return classified(async () => {
        const result = await upsert(deps.portal(input.portalId), input.email, toHubSpotProperties(input.properties));
        log.info('contact upserted', {
          contactId: result.id,
          created: result.isNew,
          properties: Object.keys(result.properties),
        });
        return result;
      });
    },

    /** Unsubscribes from one subscription, or from all email when none is named. Already unsubscribed is success. */
    async unsubscribeLead(input: LeadRef & SubscriptionChange): Promise<{ changed: boolean }> {
      return classified(() => unsubscribe(deps.portal(input.portalId), input));
    },

    /** Resubscribes to one subscription, or to every email subscription the portal defines. */
    async resubscribeLead(
      input: LeadRef & SubscriptionChange & { unsubscribed: string[]; unsubscribedFromAll: boolean },
    ): Promise<{ resubscribed: string[] }> {
      return classified(async () => {
        const portal = deps.portal(input.portalId);
        // "Resubscribe" undoes what the lead asked for, and no more: the subscriptions it left one by one, and
        // after an opt-out of all email those HubSpot now reports unsubscribed, never types it never had.
        const ids = new Set(input.subscriptionId !== undefined ? [input.subscriptionId] : input.unsubscribed);
        if (input.subscriptionId === undefined && input.unsubscribedFromAll) {
          const current = await withPortalAuth(portal, () => portal.subscriptions.statusByEmail(input.email));
          for (const entry of current.statuses) if (entry.status === 'UNSUBSCRIBED') ids.add(entry.subscriptionId);
        }
        for (const subscriptionId of ids) {
          await withPortalAuth(portal, () =>
            portal.subscriptions.resubscribe({
              email: input.email,
              subscriptionId,
              legalBasis: input.legalBasis,
              legalBasisExplanation: input.legalBasisExplanation,
            }),
          );
        }
        return { resubscribed: [...ids] };
      });
    },

    /** GDPR delete by email: HubSpot removes the contact for good (and blocklists an unknown address). */
    async deleteLead(input: LeadRef): Promise<void> {
      return classified(async () => {
        const portal = deps.portal(input.portalId);
        await withPortalAuth(portal, () => portal.contacts.gdprDelete({ email: input.email }));
      });
    },

    /** Re-applies what the workflow last synced: properties, subscription state, or the deletion. */
    async resyncLead(
      input: LeadRef & { properties: Record<string, string>; subscription: LeadSubscriptionState; deleted: boolean },
    ): Promise<{ id?: string }> {
      return classified(async () => {
        const portal = deps.portal(input.portalId);
        if (input.deleted) {
          await withPortalAuth(portal, () => portal.contacts.gdprDelete({ email: input.email }));
          return {};
        }
        const { id } = await upsert(portal, input.email, input.properties);
        if (input.subscription.unsubscribedFromAll) await unsubscribe(portal, input);
        for (const subscriptionId of input.subscription.unsubscribed)
          await unsubscribe(portal, { ...input, subscriptionId });
        return { id };
      });
    },
  };
}

export type LeadActivities = ReturnType<typeof createLeadActivities>;
