import type { SubscriptionStore } from '../state/subscription-store.js';

const DESCRIPTIONS: Record<string, string> = {
  'Marketing Information': 'Marketing offers and updates.',
  'One to One': 'One to one emails.',
};

export type SetStatusReason =
  'NO_STATUS_CHANGE' | 'REQUESTED_CHANGE_OCCURRED' | 'RESUBSCRIBE_OCCURRED' | 'UNSUBSCRIBE_FROM_ALL_OCCURRED';

export const SOURCE = 'Public API';

export function definitionOf(definition: { id: number; name: string }, createdAt: string) {
  return {
    id: String(definition.id),
    name: definition.name,
    description: DESCRIPTIONS[definition.name] ?? `${definition.name} emails.`,
    purpose: 'Marketing',
    communicationMethod: 'Email',
    isActive: true,
    isDefault: true,
    isInternal: false,
    businessUnitId: 0,
    createdAt,
    updatedAt: createdAt,
  };
}

/** v3 knows only SUBSCRIBED and NOT_SUBSCRIBED; an opt-out from all email shows as a portal-wide status. */
export function v3StatusOf(store: SubscriptionStore, email: string, definition: { id: number; name: string }) {
  const entry = store.entry(email, definition.id);
  const optedOut = store.unsubscribedFromAllAt(email) !== undefined;
  return {
    id: String(definition.id),
    name: definition.name,
    description: DESCRIPTIONS[definition.name] ?? `${definition.name} emails.`,
    status: !optedOut && entry?.state === 'SUBSCRIBED' ? 'SUBSCRIBED' : 'NOT_SUBSCRIBED',
    sourceOfStatus: optedOut ? 'PORTAL_WIDE_STATUS' : 'SUBSCRIPTION_STATUS',
    ...(entry?.legalBasis ? { legalBasis: entry.legalBasis } : {}),
    ...(entry?.legalBasisExplanation ? { legalBasisExplanation: entry.legalBasisExplanation } : {}),
  };
}

export function publicStatusOf(
  store: SubscriptionStore,
  email: string,
  definition: { id: number; name: string },
  defaultTimestamp: string,
  reason?: SetStatusReason,
) {
  const entry = store.entry(email, definition.id);
  return {
    subscriberIdString: email,
    channel: 'EMAIL',
    subscriptionId: definition.id,
    subscriptionName: definition.name,
    status: entry?.state ?? 'NOT_SPECIFIED',
    source: entry?.source ?? 'Default',
    timestamp: entry?.timestamp ?? defaultTimestamp,
    businessUnitId: 0,
    ...(entry?.legalBasis ? { legalBasis: entry.legalBasis } : {}),
    ...(entry?.legalBasisExplanation ? { legalBasisExplanation: entry.legalBasisExplanation } : {}),
    ...(reason ? { setStatusSuccessReason: reason } : {}),
  };
}

/** The envelope of the date-based API's answers (`ActionResponseWithResults...`). */
export function actionResponse<T>(results: T[], requestedAt: string) {
  return {
    status: 'COMPLETE',
    results,
    requestedAt,
    startedAt: requestedAt,
    completedAt: new Date().toISOString(),
  };
}
