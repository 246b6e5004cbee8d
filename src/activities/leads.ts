import { log } from '@temporalio/activity';
import type { LeadProperties, LeadSubscriptionState, SubscriptionChange } from '../shared/lead-types.js';
import { withPortalAuth } from '../portals/portal-auth.js';
import type { PortalSession, PortalSessions } from '../portals/portal-session.js';
import { classified } from './failures.js';

export interface LeadActivityDeps {
  portal: PortalSessions;
}

interface LeadRef {
  portalId: string;
  email: string;
}

/** HubSpot stores every property as a string; booleans as `true`/`false`. */
export function toHubSpotProperties(properties: LeadProperties): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, String(v)]));
}

export function createLeadActivities(deps: LeadActivityDeps) {
  const upsert = async (portal: PortalSession, email: string, properties: Record<string, string>) => {
    const result = await portal.upsert({ email, properties: { ...properties, email } });
    if (!result.ok) throw result.error;
    // HubSpot's own form of each value (it normalises some), so its later reports of them compare equal.
    const written = Object.fromEntries(
      Object.entries(properties)
        .filter(([k]) => k !== 'email')
        .map(([k, v]) => [k, result.properties[k] ?? v]),
    );
    const at = Date.parse(result.updatedAt);
    return { id: result.id, isNew: result.isNew, properties: written, ...(Number.isNaN(at) ? {} : { at }) };
  };

  const unsubscribe = async (portal: PortalSession, input: LeadRef & SubscriptionChange) => {
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
    /** Creates or updates the contact by email through batch upsert, so a retried write never duplicates it. */
    async upsertContact(
      input: LeadRef & { properties: LeadProperties },
    ): Promise<{ id: string; isNew: boolean; properties: Record<string, string>; at?: number }> {
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

    /** Re-applies what the workflow last synced: the properties and the subscription state. */
    async resyncLead(
      input: LeadRef & { properties: Record<string, string>; subscription: LeadSubscriptionState },
    ): Promise<{ id?: string }> {
      return classified(async () => {
        const portal = deps.portal(input.portalId);
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
