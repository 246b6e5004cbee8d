import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { createActivities } from '../../../src/activities/index.js';
import { toHubSpotProperties } from '../../../src/activities/leads.js';
import { FailureType } from '../../../src/shared/failure-types.js';
import type { LeadProperties } from '../../../src/shared/lead-types.js';

export interface StandInCall {
  activity: string;
  email: string;
  properties?: LeadProperties;
}

/**
 * HubSpot as the lead workflow sees it through its activities, held in memory: the real activities with the HubSpot
 * ones replaced, so a workflow test decides what HubSpot answers and sees every call. A property named in `reject`
 * is refused as HubSpot refuses an unknown property; while `authBroken` is set every call fails as a revoked token.
 */
export function standInActivities(client: Client) {
  const calls: StandInCall[] = [];
  const contacts = new Map<string, { id: string; properties: Record<string, string> }>();
  const control = {
    reject: new Set<string>(),
    authBroken: false,
    /** While set, upserts wait for it: events pile up behind the one in flight. */
    gate: undefined as Promise<void> | undefined,
  };
  const guard = () => {
    if (control.authBroken) {
      throw ApplicationFailure.create({ type: FailureType.HubSpotAuth, nonRetryable: true, message: 'token revoked' });
    }
  };
  const noHubSpot = () => {
    throw new Error('the stand-in activities answer every HubSpot call of these tests');
  };
  const activities = {
    ...createActivities({ portal: noHubSpot, client }),
    async upsertContact(input: { email: string; properties: LeadProperties }) {
      calls.push({ activity: 'upsertContact', email: input.email, properties: input.properties });
      await control.gate;
      guard();
      const bad = Object.keys(input.properties).find((name) => control.reject.has(name));
      if (bad) {
        throw ApplicationFailure.create({
          type: FailureType.HubSpotValidation,
          nonRetryable: true,
          message: `Property "${bad}" does not exist`,
        });
      }
      const existing = contacts.get(input.email);
      const contact = existing ?? { id: String(1000 + contacts.size), properties: {} };
      Object.assign(contact.properties, toHubSpotProperties(input.properties));
      contacts.set(input.email, contact);
      return { id: contact.id, isNew: !existing, properties: toHubSpotProperties(input.properties) };
    },
    async unsubscribeLead(input: { email: string }) {
      calls.push({ activity: 'unsubscribeLead', email: input.email });
      guard();
      return Promise.resolve({ changed: true });
    },
    async resubscribeLead(input: { email: string; subscriptionId?: string; unsubscribed: string[] }) {
      calls.push({ activity: 'resubscribeLead', email: input.email });
      guard();
      return Promise.resolve({
        resubscribed: input.subscriptionId !== undefined ? [input.subscriptionId] : input.unsubscribed,
      });
    },
    async deleteLead(input: { email: string }) {
      calls.push({ activity: 'deleteLead', email: input.email });
      guard();
      contacts.delete(input.email);
      return Promise.resolve();
    },
    async resyncLead(input: { email: string; properties: Record<string, string> }) {
      calls.push({ activity: 'resyncLead', email: input.email });
      guard();
      return Promise.resolve({ id: contacts.get(input.email)?.id });
    },
  };
  return { activities, calls, contacts, control };
}
