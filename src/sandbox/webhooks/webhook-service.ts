import { subscribableProperties } from '../contacts/property-names.js';
import type { ResolvedOptions } from '../options.js';
import type { ContactChange } from '../state/contact-changes.js';
import type { WebhookAttempt, WebhookConfig, WebhookSettings } from '../types.js';
import { SubscriptionCatalog } from './catalog.js';
import { WebhookDispatcher } from './dispatcher.js';
import { eventsFor } from './events.js';
import { applyWebhookSettings, type ResolvedWebhookSettings } from './settings.js';

/** The sandbox app's webhooks: its settings and subscriptions, and the events the store's changes become. */
export class WebhookService {
  readonly catalog: SubscriptionCatalog;
  private settings: ResolvedWebhookSettings;
  private readonly dispatcher: WebhookDispatcher;
  // Event ids keep growing across resets, so a receiver that deduplicates by id never drops a new event.
  private lastEventId = 0;

  constructor(private readonly options: ResolvedOptions) {
    this.catalog = new SubscriptionCatalog(subscribableProperties(options));
    this.settings = options.webhooks;
    this.dispatcher = new WebhookDispatcher({
      settings: () => this.settings,
      clientSecret: options.clientSecret,
      logger: options.logger,
    });
  }

  /** Events exist only while there is a target, as with an app that has no target URL. */
  record(change: ContactChange): void {
    if (this.settings.targetUrl === null) return;
    const events = eventsFor(change, {
      portalId: this.options.portalId,
      appId: this.options.appId,
      catalog: this.catalog,
      nextEventId: () => (this.lastEventId += 1),
    });
    if (events.length > 0) this.dispatcher.enqueue(events);
  }

  configure(patch: WebhookSettings): WebhookConfig {
    this.settings = applyWebhookSettings(this.settings, patch);
    if (this.settings.targetUrl === null) this.dispatcher.discard();
    return this.config();
  }

  config(): WebhookConfig {
    return {
      ...this.settings,
      appId: this.options.appId,
      subscriptions: this.catalog.all.map((subscription) => ({ ...subscription })),
    };
  }

  attempts(): WebhookAttempt[] {
    return this.dispatcher.attempts();
  }

  idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  reset(): void {
    this.dispatcher.discard();
    this.dispatcher.clearLog();
    this.settings = this.options.webhooks;
  }

  close(): void {
    this.dispatcher.discard();
  }

  /** The last event id given out; a state file keeps it so that ids go on growing after a restart. */
  lastEventIdGiven(): number {
    return this.lastEventId;
  }

  continueEventIdsAfter(lastEventId: number): void {
    this.lastEventId = Math.max(this.lastEventId, lastEventId);
  }
}
