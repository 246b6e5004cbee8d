import type { BatchItemResult } from '../../client/lead-batch.js';
import { CliError, ExitCode } from '../exit-codes.js';
import type { ServiceApi } from '../service-api.js';
import type { RowPosition } from './csv-rows.js';

export interface ImportLead extends RowPosition {
  email: string;
  properties: Record<string, string>;
  eventId: string;
  /** The row as read, for `--errors`. */
  values: string[];
}

export interface SenderEvents {
  accepted(lead: ImportLead): void;
  rejected(lead: ImportLead, issues: Array<{ field: string; message: string }>): void;
}

/** Items Temporal could not take are sent again this often before the import gives up on them. */
const UNAVAILABLE_ATTEMPTS = 5;

/**
 * Sends rows to `POST /v1/leads/batch` in batches, a few batches in flight. A batch waits for any earlier batch
 * in flight with one of its emails, so each lead's rows reach its workflow in file order.
 */
export class BatchSender {
  private batch: ImportLead[] = [];
  private readonly inFlight = new Map<Promise<void>, Set<string>>();

  constructor(
    private readonly api: ServiceApi,
    private readonly events: SenderEvents,
    private readonly options: { batchSize: number; maxInFlight: number; portalId?: string },
  ) {}

  /** Resolves when the row is queued; waits while the batches in flight are at their limit (back-pressure). */
  async add(lead: ImportLead): Promise<void> {
    this.batch.push(lead);
    if (this.batch.length >= this.options.batchSize) await this.flush();
  }

  /** Sends what is queued and waits for every batch in flight. */
  async drain(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight.keys());
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    const emails = new Set(batch.map((l) => l.email));
    for (;;) {
      const blocking = [...this.inFlight].filter(([, sent]) => [...emails].some((e) => sent.has(e))).map(([p]) => p);
      if (blocking.length === 0 && this.inFlight.size < this.options.maxInFlight) break;
      await Promise.race(blocking.length > 0 ? blocking : this.inFlight.keys());
    }
    const sending: Promise<void> = this.send(batch).finally(() => this.inFlight.delete(sending));
    this.inFlight.set(sending, emails);
    // A failure surfaces from drain() or from the next flush that waits on it; it must not go unhandled meanwhile.
    sending.catch(() => undefined);
  }

  private async send(batch: ImportLead[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const answer = await this.api.post<{ results: BatchItemResult[] }>('v1/leads/batch', {
        ...(this.options.portalId ? { portalId: this.options.portalId } : {}),
        leads: pending.map(({ email, properties, eventId }) => ({ email, properties, eventId })),
      });
      const retry: ImportLead[] = [];
      for (const result of answer.results) {
        const lead = pending[result.index]!;
        if (result.accepted) this.events.accepted(lead);
        else if (result.error === 'invalid_input') this.events.rejected(lead, result.issues);
        else retry.push(lead);
      }
      if (retry.length > 0 && attempt >= UNAVAILABLE_ATTEMPTS) {
        throw new CliError(
          `Temporal did not take ${retry.length} rows after ${attempt} attempts (first at line ${retry[0]!.line}); run the import again`,
          ExitCode.unavailable,
        );
      }
      pending = retry;
      if (retry.length > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}
