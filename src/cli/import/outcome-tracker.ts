import type { EventOutcome } from '../../client/lead-batch.js';
import type { ServiceApi } from '../service-api.js';
import type { ImportLead } from './batch-sender.js';

export interface TrackerEvents {
  synced(lead: ImportLead): void;
  failed(lead: ImportLead, reason: { field: string; message: string }): void;
}

/**
 * Follows accepted rows until each is synced or failed, asking the service where the oldest ones stand. Only
 * rows still outstanding are held, so memory follows the backlog, not the file.
 */
export class OutcomeTracker {
  private readonly outstanding: ImportLead[] = [];
  blocked = 0;

  constructor(
    private readonly api: ServiceApi,
    private readonly events: TrackerEvents,
    private readonly portalId?: string,
  ) {}

  get size(): number {
    return this.outstanding.length;
  }

  add(lead: ImportLead): void {
    this.outstanding.push(lead);
  }

  /** One look at the oldest outstanding rows; answers how many of them settled. */
  async check(rows: number): Promise<number> {
    const batch = this.outstanding.slice(0, rows);
    if (batch.length === 0) return 0;
    const { events } = await this.api.post<{ events: EventOutcome[] }>('v1/leads/batch/status', {
      ...(this.portalId ? { portalId: this.portalId } : {}),
      events: batch.map(({ email, eventId }) => ({ email, eventId })),
    });
    const still: ImportLead[] = [];
    let blocked = 0;
    events.forEach((event, i) => {
      const lead = batch[i]!;
      if (event.outcome === 'synced') this.events.synced(lead);
      else if (event.outcome === 'failed') {
        this.events.failed(lead, {
          field: event.failure?.errorType ?? 'HubSpot',
          message: event.failure?.message ?? 'failed',
        });
      } else if (event.outcome === 'unknown') {
        this.events.failed(lead, { field: '(lead)', message: 'the lead is no longer held (deleted meanwhile?)' });
      } else {
        if (event.outcome === 'blocked') blocked++;
        still.push(lead);
      }
    });
    this.blocked = blocked;
    this.outstanding.splice(0, batch.length, ...still);
    return batch.length - still.length;
  }
}
