import type { SubscriptionState, SubscriptionStatusView } from '../types.js';

export interface SubscriptionEntry {
  state: SubscriptionState;
  timestamp: string;
  source: string;
  legalBasis?: string;
  legalBasisExplanation?: string;
}

interface Subscriber {
  unsubscribedFromAllAt?: string;
  statuses: Map<number, SubscriptionEntry>;
}

/** One address's preferences as a state file keeps them. */
export interface SubscriberSnapshot {
  email: string;
  unsubscribedFromAllAt?: string;
  statuses: Array<SubscriptionEntry & { subscriptionId: number }>;
}

export interface StatusChange {
  legalBasis?: string;
  legalBasisExplanation?: string;
  source: string;
}

/** Communication preferences per lower-cased email; they exist independently of contacts, as in HubSpot. */
export class SubscriptionStore {
  private readonly subscribers = new Map<string, Subscriber>();

  constructor(readonly definitions: Array<{ id: number; name: string }>) {}

  definition(id: number): { id: number; name: string } | undefined {
    return this.definitions.find((definition) => definition.id === id);
  }

  entry(email: string, subscriptionId: number): SubscriptionEntry | undefined {
    return this.subscribers.get(key(email))?.statuses.get(subscriptionId);
  }

  stateOf(email: string, subscriptionId: number): SubscriptionState {
    return this.entry(email, subscriptionId)?.state ?? 'NOT_SPECIFIED';
  }

  unsubscribedFromAllAt(email: string): string | undefined {
    return this.subscribers.get(key(email))?.unsubscribedFromAllAt;
  }

  set(email: string, subscriptionId: number, state: SubscriptionState, change: StatusChange, now: Date): void {
    const subscriber = this.subscriber(email);
    subscriber.statuses.set(subscriptionId, { state, timestamp: now.toISOString(), ...change });
    // Resubscribing to anything lifts the portal-wide opt-out.
    if (state === 'SUBSCRIBED') delete subscriber.unsubscribedFromAllAt;
  }

  unsubscribeAll(email: string, change: StatusChange, now: Date): void {
    const subscriber = this.subscriber(email);
    for (const definition of this.definitions) {
      if (subscriber.statuses.get(definition.id)?.state !== 'UNSUBSCRIBED') {
        subscriber.statuses.set(definition.id, { state: 'UNSUBSCRIBED', timestamp: now.toISOString(), ...change });
      }
    }
    subscriber.unsubscribedFromAllAt ??= now.toISOString();
  }

  view(email: string): SubscriptionStatusView {
    const subscriber = this.subscribers.get(key(email));
    const statuses: Record<number, SubscriptionState> = {};
    for (const definition of this.definitions) {
      statuses[definition.id] = subscriber?.statuses.get(definition.id)?.state ?? 'NOT_SPECIFIED';
    }
    return { unsubscribedFromAll: subscriber?.unsubscribedFromAllAt !== undefined, statuses };
  }

  emails(): string[] {
    return [...this.subscribers.keys()];
  }

  forget(email: string): void {
    this.subscribers.delete(key(email));
  }

  clear(): void {
    this.subscribers.clear();
  }

  snapshot(): SubscriberSnapshot[] {
    return [...this.subscribers].map(([email, subscriber]) => ({
      email,
      ...(subscriber.unsubscribedFromAllAt === undefined
        ? {}
        : { unsubscribedFromAllAt: subscriber.unsubscribedFromAllAt }),
      statuses: [...subscriber.statuses].map(([subscriptionId, entry]) => ({ subscriptionId, ...entry })),
    }));
  }

  restore(snapshot: SubscriberSnapshot[]): void {
    this.clear();
    for (const { email, unsubscribedFromAllAt, statuses } of snapshot) {
      const subscriber: Subscriber = {
        statuses: new Map(statuses.map(({ subscriptionId, ...entry }) => [subscriptionId, entry])),
      };
      if (unsubscribedFromAllAt !== undefined) subscriber.unsubscribedFromAllAt = unsubscribedFromAllAt;
      this.subscribers.set(key(email), subscriber);
    }
  }

  private subscriber(email: string): Subscriber {
    let subscriber = this.subscribers.get(key(email));
    if (!subscriber) {
      subscriber = { statuses: new Map() };
      this.subscribers.set(key(email), subscriber);
    }
    return subscriber;
  }
}

const key = (email: string): string => email.trim().toLowerCase();
