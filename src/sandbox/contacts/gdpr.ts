import type { SandboxState } from '../state/sandbox-state.js';
import type { ChangeSource, ContactRecord } from '../types.js';

/** Records the address as GDPR-deleted and drops its subscriptions, as HubSpot forgets them with the contact. */
function forget(state: SandboxState, email: string): void {
  state.subscriptions.forget(email);
  if (!state.deletedEmails.includes(email)) state.deletedEmails.push(email);
}

/** A GDPR delete of one contact, archived or not. */
export function gdprDeleteContact(state: SandboxState, contact: ContactRecord, now: Date, source: ChangeSource): void {
  state.contacts.erase(contact, now, source);
  const email = contact.properties.email;
  if (email) forget(state, email);
}

/** A GDPR delete by address: every contact with it goes; an address no contact has is blocklisted, per the spec. */
export function gdprDeleteEmail(state: SandboxState, email: string, now: Date, source: ChangeSource): void {
  const matches = state.contacts.all().filter((contact) => contact.properties.email === email);
  for (const contact of matches) state.contacts.erase(contact, now, source);
  if (matches.length === 0) state.blocklist.add(email);
  forget(state, email);
}
