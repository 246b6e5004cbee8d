import { z } from 'zod';
import { propertyDefinition } from '../properties/definition.js';
import type { SandboxState } from '../state/sandbox-state.js';

const FORMAT_VERSION = 1;

const contactRecord = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean(),
  archivedAt: z.string().optional(),
});

const subscriptionEntry = z.object({
  subscriptionId: z.number().int(),
  state: z.enum(['SUBSCRIBED', 'UNSUBSCRIBED', 'NOT_SPECIFIED']),
  timestamp: z.string(),
  source: z.string(),
  legalBasis: z.string().optional(),
  legalBasisExplanation: z.string().optional(),
});

const scopes = z.array(z.string());

/**
 * What a state file holds: the portal's data and the credentials that reach it. Counters, recorded exchanges,
 * faults, rate windows and webhook settings are left out: they describe a run, not the portal.
 */
export const stateSnapshot = z.object({
  version: z.literal(FORMAT_VERSION),
  credentials: z.object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    staticTokens: z.array(z.string().min(1)).min(1),
  }),
  contacts: z.object({
    nextId: z.number().int().positive(),
    records: z.array(contactRecord),
    mergedInto: z.record(z.string(), z.string()),
  }),
  subscriptions: z.array(
    z.object({ email: z.string(), unsubscribedFromAllAt: z.string().optional(), statuses: z.array(subscriptionEntry) }),
  ),
  deletedEmails: z.array(z.string()),
  blocklist: z.array(z.string()),
  tokens: z.object({
    refreshTokens: z.array(z.object({ token: z.string(), scopes, revoked: z.boolean() })),
    accessTokens: z.array(z.object({ token: z.string(), expiresAt: z.number(), scopes })),
  }),
  properties: z.array(propertyDefinition),
  lastWebhookEventId: z.number().int().min(0),
});

export type StateSnapshot = z.infer<typeof stateSnapshot>;
export type SavedCredentials = StateSnapshot['credentials'];

/** The state as a file keeps it; it shares objects with the live state, so serialise it before anything else runs. */
export function takeSnapshot(state: SandboxState): StateSnapshot {
  const { clientId, clientSecret, staticTokens } = state.options;
  return {
    version: FORMAT_VERSION,
    credentials: { clientId, clientSecret, staticTokens },
    contacts: state.contacts.snapshot(),
    subscriptions: state.subscriptions.snapshot(),
    deletedEmails: state.deletedEmails,
    blocklist: [...state.blocklist],
    tokens: state.tokens.snapshot(),
    properties: state.properties.customDefinitions(),
    lastWebhookEventId: state.webhooks.lastEventIdGiven(),
  };
}

/** Loads a snapshot into a fresh state; the credentials were already applied to the options it was built with. */
export function restoreSnapshot(state: SandboxState, snapshot: StateSnapshot): void {
  state.contacts.restore(snapshot.contacts);
  state.subscriptions.restore(snapshot.subscriptions);
  state.deletedEmails.length = 0;
  for (const email of snapshot.deletedEmails) state.deletedEmails.push(email);
  state.blocklist.clear();
  for (const email of snapshot.blocklist) state.blocklist.add(email);
  state.tokens.restore(snapshot.tokens);
  state.properties.restore(snapshot.properties);
  state.webhooks.continueEventIdsAfter(snapshot.lastWebhookEventId);
}
