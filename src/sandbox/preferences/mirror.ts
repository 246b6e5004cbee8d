import { subscriptionPropertyName } from '../contacts/property-names.js';
import type { PropertyValues } from '../state/contact-store.js';
import type { SandboxState } from '../state/sandbox-state.js';
import type { SubscriptionStore } from '../state/subscription-store.js';
import type { ChangeSource } from '../types.js';

/**
 * The contact properties HubSpot derives from an address's subscriptions, where they differ from `current`:
 * `hs_email_optout` ('true' while opted out of all email) and `hs_email_optout_<id>` ('true' unsubscribed,
 * 'false' subscribed, empty while not specified).
 */
export function subscriptionProperties(store: SubscriptionStore, email: string, current: PropertyValues) {
  const view = store.view(email);
  const wanted: PropertyValues = {};
  if (view.unsubscribedFromAll) wanted.hs_email_optout = 'true';
  else if (current.hs_email_optout === 'true') wanted.hs_email_optout = 'false';
  for (const [id, status] of Object.entries(view.statuses)) {
    wanted[subscriptionPropertyName(id)] = status === 'NOT_SPECIFIED' ? null : String(status === 'UNSUBSCRIBED');
  }
  return Object.fromEntries(Object.entries(wanted).filter(([name, value]) => (current[name] ?? null) !== value));
}

/** Brings the address's contact, if there is one, in line with its subscriptions after a status change. */
export function mirrorSubscriptions(state: SandboxState, email: string, now: Date, source: ChangeSource): void {
  const contact = state.contacts.findByEmail(email);
  if (!contact) return;
  const changes = subscriptionProperties(state.subscriptions, email, contact.properties);
  if (Object.keys(changes).length > 0) state.contacts.update(contact, changes, now, source);
}
