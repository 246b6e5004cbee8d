import type { WebhookSubscription, WebhookSubscriptionType } from '../types.js';

// Subscription ids look like HubSpot's: large, stable numbers, here fixed by the order of the catalog.
const FIRST_SUBSCRIPTION_ID = 2_210_001;

const OBJECT_EVENTS: WebhookSubscriptionType[] = [
  'contact.creation',
  'contact.deletion',
  'contact.privacyDeletion',
  'contact.merge',
];

/** The sandbox app's subscriptions: every contact event type, and a property change per subscribable property. */
export class SubscriptionCatalog {
  readonly all: WebhookSubscription[];

  constructor(propertyNames: string[]) {
    const entries: Array<Omit<WebhookSubscription, 'id'>> = [
      ...OBJECT_EVENTS.map((subscriptionType) => ({ subscriptionType })),
      ...propertyNames.map((propertyName) => ({ subscriptionType: 'contact.propertyChange' as const, propertyName })),
    ];
    this.all = entries.map((entry, index) => ({ id: FIRST_SUBSCRIPTION_ID + index, ...entry }));
  }

  /** The subscription that covers this event, or undefined when the app does not subscribe to it. */
  idOf(subscriptionType: WebhookSubscriptionType, propertyName?: string): number | undefined {
    return this.all.find(
      (subscription) =>
        subscription.subscriptionType === subscriptionType && subscription.propertyName === propertyName,
    )?.id;
  }
}
