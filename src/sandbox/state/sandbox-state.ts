import type { ResolvedOptions } from '../options.js';
import type { Exchange, SandboxCounters } from '../types.js';
import { WebhookService } from '../webhooks/webhook-service.js';
import { ContactStore } from './contact-store.js';
import { emptyCounters } from './counters.js';
import { FaultPlan } from './faults.js';
import { PropertyStore } from './property-store.js';
import { DailyBudget, RollingWindow } from './rate-limiter.js';
import { SubscriptionStore } from './subscription-store.js';
import { TokenStore } from './token-store.js';

/** Everything the sandbox remembers; route handlers read and change it, nothing else holds state. */
export class SandboxState {
  readonly tokens: TokenStore;
  readonly webhooks: WebhookService;
  readonly contacts: ContactStore;
  readonly subscriptions: SubscriptionStore;
  readonly properties: PropertyStore;
  readonly faults = new FaultPlan();
  readonly burstWindow: RollingWindow | undefined;
  readonly searchWindow: RollingWindow | undefined;
  readonly daily: DailyBudget;
  readonly exchanges: Exchange[] = [];
  counters: SandboxCounters = emptyCounters();
  /** Every GDPR-deleted address, in order. */
  readonly deletedEmails: string[] = [];
  /** Addresses GDPR-deleted while no contact had them: HubSpot refuses them from then on. */
  readonly blocklist = new Set<string>();
  /** Told after anything that may have changed what a state file keeps; the persistence sets it. */
  onChange: () => void = () => undefined;

  constructor(readonly options: ResolvedOptions) {
    this.webhooks = new WebhookService(options);
    this.contacts = new ContactStore((change) => this.webhooks.record(change));
    this.tokens = new TokenStore(
      options.clientId,
      options.clientSecret,
      options.staticTokens,
      options.accessTokenTtlSeconds,
    );
    this.subscriptions = new SubscriptionStore(options.subscriptions);
    this.properties = new PropertyStore(options);
    this.burstWindow = options.rateLimit ? new RollingWindow(options.rateLimit) : undefined;
    this.searchWindow = options.searchRateLimit ? new RollingWindow(options.searchRateLimit) : undefined;
    this.daily = new DailyBudget(options.dailyLimit);
  }

  countRoute(name: string): void {
    this.counters.requestsByRoute[name] = (this.counters.requestsByRoute[name] ?? 0) + 1;
  }

  reset(): void {
    this.contacts.clear();
    this.subscriptions.clear();
    this.properties.clear();
    this.faults.reset();
    this.burstWindow?.clear();
    this.searchWindow?.clear();
    this.daily.clear();
    this.exchanges.length = 0;
    this.deletedEmails.length = 0;
    this.blocklist.clear();
    this.counters = emptyCounters();
    this.webhooks.reset();
    this.onChange();
  }
}
