import { READ_ONLY_PROPERTIES, type ResolvedOptions } from '../options.js';

// HubSpot mirrors each subscription's status onto a calculated, read-only contact property of this name.
const SUBSCRIPTION_PROPERTY = /^hs_email_optout_\d+$/;

export const subscriptionPropertyName = (subscriptionId: number | string): string =>
  `hs_email_optout_${subscriptionId}`;

export const isSubscriptionProperty = (name: string): boolean => SUBSCRIPTION_PROPERTY.test(name);

/** The properties reads and searches know: the portal's known ones, the read-only ones, the subscription mirrors. */
export function readableProperties(options: ResolvedOptions): Set<string> {
  return new Set([
    ...options.knownProperties,
    ...READ_ONLY_PROPERTIES,
    ...options.subscriptions.map((subscription) => subscriptionPropertyName(subscription.id)),
  ]);
}

/** HubSpot lets no app subscribe to changes of the ids and timestamps it maintains itself. */
export function subscribableProperties(options: ResolvedOptions): string[] {
  return [...readableProperties(options)].filter((name) => !READ_ONLY_PROPERTIES.includes(name));
}
