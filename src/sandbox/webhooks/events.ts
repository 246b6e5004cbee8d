import type { ContactChange } from '../state/contact-changes.js';
import { SANDBOX_USER } from '../state/token-store.js';
import type { ChangeSource, WebhookEvent, WebhookSubscriptionType } from '../types.js';
import type { SubscriptionCatalog } from './catalog.js';

/** An event before delivery: each attempt adds its own `attemptNumber`. */
export type PendingEvent = Omit<WebhookEvent, 'attemptNumber'>;

export interface EventContext {
  portalId: number;
  appId: number;
  catalog: SubscriptionCatalog;
  nextEventId(): number;
}

/** HubSpot names the app behind an integration's write, and the user behind an edit in the CRM. */
function sourceIdOf(source: ChangeSource, appId: number): string | undefined {
  if (source === 'INTEGRATION') return String(appId);
  if (source === 'CRM_UI') return `userId:${SANDBOX_USER.id}`;
  return undefined;
}

/** The events HubSpot sends for one store change, in order; those the app does not subscribe to are left out. */
export function eventsFor(change: ContactChange, context: EventContext): PendingEvent[] {
  const sourceId = sourceIdOf(change.source, context.appId);
  const event = (
    subscriptionType: WebhookSubscriptionType,
    objectId: string,
    extra: Partial<PendingEvent> = {},
  ): PendingEvent[] => {
    const subscriptionId = context.catalog.idOf(subscriptionType, extra.propertyName);
    if (subscriptionId === undefined) return [];
    return [
      {
        eventId: context.nextEventId(),
        subscriptionId,
        portalId: context.portalId,
        appId: context.appId,
        occurredAt: change.at.getTime(),
        subscriptionType,
        objectId: Number(objectId),
        changeSource: change.source,
        ...(sourceId === undefined ? {} : { sourceId }),
        ...extra,
      },
    ];
  };
  const propertyChanges = (contactId: string, values: Record<string, string | null>, skipCleared: boolean) =>
    Object.entries(values)
      .filter(([, value]) => !(skipCleared && value === null))
      .flatMap(([propertyName, value]) =>
        event('contact.propertyChange', contactId, { propertyName, propertyValue: value ?? '' }),
      );

  switch (change.kind) {
    case 'creation':
      // A new contact's first values arrive as property changes next to the creation, as in HubSpot.
      return [
        ...event('contact.creation', change.contactId),
        ...propertyChanges(change.contactId, change.properties, true),
      ];
    case 'propertyChange':
      return propertyChanges(change.contactId, change.properties, false);
    case 'deletion':
      return change.privacy
        ? [...event('contact.privacyDeletion', change.contactId), ...event('contact.deletion', change.contactId)]
        : event('contact.deletion', change.contactId);
    case 'merge':
      return event('contact.merge', change.primaryId, {
        primaryObjectId: Number(change.primaryId),
        mergedObjectIds: [Number(change.mergedId)],
        newObjectId: Number(change.primaryId),
        numberOfPropertiesMoved: change.propertiesMoved,
      });
  }
}
