import type { FastifyBaseLogger } from 'fastify';
import type { WebhookAttempt } from '../types.js';
import { deliver, type DeliveryStatus } from './delivery.js';
import type { PendingEvent } from './events.js';
import type { ResolvedWebhookSettings } from './settings.js';
import { deliveryHeaders } from './signature.js';

// HubSpot sends at most 100 events per request.
const MAX_EVENTS_PER_REQUEST = 100;
// The log is for looking at recent deliveries; a long-running sandbox must not grow without bound.
const MAX_LOGGED_ATTEMPTS = 1000;

interface Batch {
  events: PendingEvent[];
  attemptNumber: number;
}

export interface DispatcherDeps {
  settings(): ResolvedWebhookSettings;
  clientSecret: string;
  logger: false | FastifyBaseLogger;
}

const succeeded = (status: DeliveryStatus): boolean => typeof status === 'number' && status >= 200 && status < 300;

/**
 * Collects events for a short window, sends them in arrays of at most 100 with a bounded number of requests in
 * flight, and sends a failed array again, unchanged but for `attemptNumber`, after a doubling delay.
 */
export class WebhookDispatcher {
  private collected: PendingEvent[] = [];
  private windowTimer: NodeJS.Timeout | undefined;
  private ready: Batch[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private log: WebhookAttempt[] = [];
  private idleWaiters: Array<() => void> = [];
  // Aborting it ends every request in flight; a new one (and generation) starts after each discard.
  private abort = new AbortController();
  private generation = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Full arrays leave at once; the rest waits for the window that the first of them opened. */
  enqueue(events: PendingEvent[]): void {
    this.collected.push(...events);
    while (this.collected.length >= MAX_EVENTS_PER_REQUEST) {
      this.ready.push({ events: this.collected.splice(0, MAX_EVENTS_PER_REQUEST), attemptNumber: 0 });
    }
    if (this.collected.length === 0) {
      clearTimeout(this.windowTimer);
      this.windowTimer = undefined;
    } else {
      this.windowTimer ??= setTimeout(() => this.flush(), this.deps.settings().batchWindowMs);
    }
    this.pump();
  }

  attempts(): WebhookAttempt[] {
    return this.log.map((attempt) => ({ ...attempt, eventIds: [...attempt.eventIds] }));
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops whatever is collected, queued or waiting for a retry, and aborts the requests in flight. */
  discard(): void {
    clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.collected = [];
    this.ready = [];
    this.abort.abort();
    this.abort = new AbortController();
    this.generation += 1;
    this.settleIfIdle();
  }

  clearLog(): void {
    this.log = [];
  }

  private flush(): void {
    clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    while (this.collected.length > 0) {
      this.ready.push({ events: this.collected.splice(0, MAX_EVENTS_PER_REQUEST), attemptNumber: 0 });
    }
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.deps.settings().maxConcurrentRequests && this.ready.length > 0) {
      const batch = this.ready.shift() as Batch;
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
    this.settleIfIdle();
  }

  private async send(batch: Batch): Promise<void> {
    const settings = this.deps.settings();
    if (settings.targetUrl === null) return;
    const { generation } = this;
    const body = JSON.stringify(batch.events.map((event) => ({ ...event, attemptNumber: batch.attemptNumber })));
    const sentAt = Date.now();
    const timestamp = String(sentAt);
    const status = await deliver({
      url: settings.targetUrl,
      body,
      headers: deliveryHeaders(this.deps.clientSecret, settings.targetUrl, body, timestamp),
      timeoutMs: settings.timeoutMs,
      signal: this.abort.signal,
    });
    if (generation !== this.generation) return;
    const eventIds = batch.events.map((event) => event.eventId);
    this.record({ eventIds, attemptNumber: batch.attemptNumber, status, at: new Date(sentAt).toISOString() });
    if (succeeded(status)) return;
    const retry = batch.attemptNumber + 1 < settings.maxAttempts;
    if (this.deps.logger) {
      this.deps.logger.warn(
        { events: eventIds.length, attemptNumber: batch.attemptNumber, status, willRetry: retry },
        'sandbox webhook delivery failed',
      );
    }
    if (retry) this.scheduleRetry(batch, settings);
  }

  private scheduleRetry(batch: Batch, settings: ResolvedWebhookSettings): void {
    const delayMs = Math.min(settings.retryDelayMs * 2 ** batch.attemptNumber, settings.maxRetryDelayMs);
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.ready.push({ events: batch.events, attemptNumber: batch.attemptNumber + 1 });
      this.pump();
    }, delayMs);
    this.retryTimers.add(timer);
  }

  private record(attempt: WebhookAttempt): void {
    this.log.push(attempt);
    if (this.log.length > MAX_LOGGED_ATTEMPTS) this.log.splice(0, this.log.length - MAX_LOGGED_ATTEMPTS);
  }

  private isIdle(): boolean {
    return (
      this.collected.length === 0 &&
      this.windowTimer === undefined &&
      this.ready.length === 0 &&
      this.retryTimers.size === 0 &&
      this.inFlight === 0
    );
  }

  private settleIfIdle(): void {
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
