import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import type { ChangeFeedSettings, InboundChange } from '../shared/change-types.js';
import { changeFeedWorkflowId } from '../shared/ids.js';
import { changeFeedSettingsSignal, inboundChangesSignal } from '../shared/messages.js';
import type { hubspotChanges } from '../workflows/hubspot-changes.js';

/** Static tokens (private apps, Service Keys) get no webhooks, so they are polled by default. */
const STATIC_POLL_INTERVAL_MS = 60_000;

export function changeFeedSettings(config: Config, mode: 'static' | 'oauth'): ChangeFeedSettings {
  const intervalMs = config.poll.intervalMs ?? (mode === 'static' ? STATIC_POLL_INTERVAL_MS : 0);
  return {
    poll:
      intervalMs > 0 ? { intervalMs, settleMs: config.poll.settleMs, properties: config.poll.properties } : undefined,
    deliver: config.backendWebhook !== undefined,
  };
}

/** The portal's change feed workflow, started (or fed) by signal-with-start with the service's current settings. */
export class ChangeFeeds {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly settings: ChangeFeedSettings,
  ) {}

  /** At start and after an install: the feed runs, and with this configuration (polling on or off, deliveries). */
  async ensure(portalId: string): Promise<void> {
    await this.client.workflow.signalWithStart<typeof hubspotChanges, [ChangeFeedSettings]>('hubspotChanges', {
      ...this.startOptions(portalId),
      signal: changeFeedSettingsSignal,
      signalArgs: [this.settings],
    });
  }

  /** Resolves once Temporal holds the changes: only then may HubSpot be told 2xx. */
  async handOver(portalId: string, changes: InboundChange[]): Promise<void> {
    await this.client.workflow.signalWithStart<typeof hubspotChanges, [{ changes: InboundChange[] }]>(
      'hubspotChanges',
      { ...this.startOptions(portalId), signal: inboundChangesSignal, signalArgs: [{ changes }] },
    );
  }

  private startOptions(portalId: string) {
    return {
      workflowId: changeFeedWorkflowId(portalId),
      taskQueue: this.taskQueue,
      args: [{ portalId, settings: this.settings }] as Parameters<typeof hubspotChanges>,
    };
  }
}
