import type { SandboxState } from '../state/sandbox-state.js';

/** HubSpot mirrors the opt-out from all email into the contact's `hs_email_optout` property. */
export function mirrorOptOut(state: SandboxState, email: string, optedOut: boolean, now: Date): void {
  const contact = state.contacts.findByEmail(email);
  if (contact && contact.properties.hs_email_optout !== String(optedOut)) {
    state.contacts.update(contact, { hs_email_optout: String(optedOut) }, now);
  }
}
