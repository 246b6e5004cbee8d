import type { BackendDelivery } from '../shared/delivery-types.js';
import { FailureType } from '../shared/failure-types.js';
import { optOutProperty } from '../shared/opt-out-properties.js';
import type {
  LeadEvent,
  LeadProperties,
  LeadRecord,
  LeadState,
  LeadSubscriptionState,
  LeadSyncStatusName,
  QueuedEvent,
} from '../shared/lead-types.js';
import { DEFAULT_EVENT_MEMORY, EventMemory, type EventMemoryLimits } from './event-memory.js';
import { applyInbound, emptyHubSpotSide } from './inbound-changes.js';

type WriteEvent = Extract<LeadEvent, { kind: 'register' | 'update' }>;
type EventOf<K extends LeadEvent['kind']> = Extract<LeadEvent, { kind: K }>;

/** One call to HubSpot, as the ledger asks for it. */
export type Step =
  | {
      kind: 'write';
      properties: LeadProperties;
      /** The arrival number of the event each property's value comes from. */
      sources: Record<string, number>;
      events: WriteEvent[];
      replay: boolean;
    }
  | { kind: 'unsubscribe'; event: EventOf<'unsubscribe'> }
  | { kind: 'resubscribe'; event: EventOf<'resubscribe'>; subscription: LeadSubscriptionState }
  | { kind: 'delete'; event: EventOf<'delete'> }
  | {
      kind: 'resync';
      event: EventOf<'resync'>;
      properties: Record<string, string>;
      subscription: LeadSubscriptionState;
    };

/** What HubSpot said to a step that succeeded. */
export type StepResult =
  | {
      kind: 'write';
      id: string;
      properties: Record<string, string>;
      /** HubSpot's time of the write (epoch ms), when it said. */
      at?: number;
    }
  | { kind: 'unsubscribe' }
  | { kind: 'resubscribe'; resubscribed: string[] }
  | { kind: 'delete' }
  | { kind: 'resync'; id?: string };

export interface LedgerOptions {
  memory?: Partial<EventMemoryLimits>;
  /** Failed events kept for replay; the oldest go first. */
  maxFailed?: number;
}

export type Acceptance = 'queued' | 'duplicate' | 'malformed';

const EVENT_KINDS: readonly string[] = [
  'register',
  'update',
  'unsubscribe',
  'resubscribe',
  'delete',
  'resync',
  'hubspot',
];
const MAX_FAILED = 200;
/**
 * Failed events travel in the record from run to run, and a continue-as-new input must stay under the server's
 * 2 MiB payload limit: they are also bounded by their size, the oldest dropped first.
 */
const MAX_FAILED_BYTES = 512 * 1024;
const iso = (ms: number) => new Date(ms).toISOString();

/** Signals can be sent by hand (the UI, the CLI): anything the ledger could trip over is refused at the door. */
function isWellFormed(event: LeadEvent | undefined): event is LeadEvent {
  if (!event || typeof event.eventId !== 'string' || !EVENT_KINDS.includes(event.kind)) return false;
  if (event.kind === 'hubspot') {
    const change = (event as { change?: Partial<Record<string, unknown>> }).change;
    return (
      typeof change === 'object' &&
      change !== null &&
      typeof change.contactId === 'string' &&
      typeof change.occurredAt === 'number' &&
      (change.type === 'deleted' ||
        (change.type === 'properties' && isPlainObject(change.properties)) ||
        (change.type === 'merged' &&
          Array.isArray(change.mergedIds) &&
          change.mergedIds.every((id) => typeof id === 'string')))
    );
  }
  if (!isWrite(event)) return true;
  return isPlainObject((event as { properties?: unknown }).properties);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWrite(event: LeadEvent): event is WriteEvent {
  return event.kind === 'register' || event.kind === 'update';
}

/**
 * A lead's bookkeeping, free of Temporal: its queue, the folding of property writes, repeats dropped by event id,
 * arrival numbers that keep a replayed old write from undoing a newer one, failed events, and the record carried
 * from one run of the workflow to the next. The workflow asks it for the next step, runs it against HubSpot, and
 * reports back; everything the lead knows is here.
 */
export class LeadLedger {
  private readonly record: LeadRecord;
  private readonly memory: EventMemory;
  private readonly maxFailed: number;
  /** The step being applied, with the queue entries it came from (they stay visible as pending). */
  private current: { step: Step; entries: QueuedEvent[] } | undefined;
  private forgotten = false;
  /** The backend was told of HubSpot's privacy deletion: forget as soon as no step is in flight. */
  private forgetPending: number | undefined;

  private constructor(
    record: LeadRecord,
    private readonly options: LedgerOptions,
  ) {
    this.record = withDefaults(record);
    this.memory = new EventMemory({ ...DEFAULT_EVENT_MEMORY, ...options.memory }, record.seen);
    this.maxFailed = options.maxFailed ?? MAX_FAILED;
    // The backend was told of HubSpot's privacy deletion (or refused it for good) just before this run began: the
    // forgetting is still owed.
    const owed = this.record.forgetWhenDelivered;
    if (owed && !this.record.outbox.some((d) => d.id === owed.deliveryId)) this.forgetPending = owed.seq;
  }

  static create(lead: { email: string; portalId: string; now: number }, options: LedgerOptions = {}): LeadLedger {
    return new LeadLedger(
      {
        email: lead.email,
        portalId: lead.portalId,
        properties: {},
        subscription: { unsubscribedFromAll: false, unsubscribed: [] },
        queue: [],
        failed: [],
        seen: { ids: [], at: [] },
        sequence: 0,
        writtenAt: {},
        deletedAtSeq: 0,
        changedAt: {},
        hubspot: emptyHubSpotSide(),
        outbox: [],
        failedDeliveries: [],
        delivered: 0,
        processedEvents: 0,
        createdAt: iso(lead.now),
        updatedAt: iso(lead.now),
      },
      options,
    );
  }

  static restore(record: LeadRecord, options: LedgerOptions = {}): LeadLedger {
    return new LeadLedger(copy(record), options);
  }

  /** Takes an event from the backend (or an operator) into the queue, unless it is malformed or a repeat. */
  accept(event: LeadEvent, now: number): Acceptance {
    if (!isWellFormed(event)) return 'malformed';
    if (this.memory.has(event.eventId)) return 'duplicate';
    this.memory.add(event.eventId, now);
    this.record.queue.push({ event: { ...event, seq: ++this.record.sequence } });
    this.touch(now);
    return 'queued';
  }

  /** Queues the failed events named (all when none are) again, as replays. Returns how many. */
  retryFailed(eventIds: string[] | undefined, now: number): number {
    const r = this.record;
    const chosen = r.failed.filter((f) => !eventIds || eventIds.includes(f.event.eventId));
    const deliveries = r.failedDeliveries.filter((f) => !eventIds || eventIds.includes(f.delivery.id));
    if (chosen.length + deliveries.length === 0) return 0;
    r.failed = r.failed.filter((f) => !chosen.includes(f));
    for (const f of chosen) r.queue.push({ event: f.event, replay: true });
    // Deliveries keep their order: the refused ones are older than anything still waiting.
    r.failedDeliveries = r.failedDeliveries.filter((f) => !deliveries.includes(f));
    r.outbox.unshift(...deliveries.map((f) => f.delivery));
    this.touch(now);
    return chosen.length + deliveries.length;
  }

  hasWork(): boolean {
    if (this.current !== undefined || this.forgetPending !== undefined) return true;
    return this.record.queue.length > 0 && !this.record.forgetWhenDelivered;
  }

  /** The oldest change from HubSpot the backend has not been told of yet. */
  nextDelivery(): BackendDelivery | undefined {
    return this.record.outbox[0];
  }

  /** The backend took the delivery. */
  delivered(id: string, now: number): void {
    const r = this.record;
    const before = r.outbox.length;
    r.outbox = r.outbox.filter((d) => d.id !== id);
    r.delivered += before - r.outbox.length;
    if (r.forgetWhenDelivered?.deliveryId === id) this.forgetPending = r.forgetWhenDelivered.seq;
    this.touch(now);
  }

  /** The backend refused the delivery for good (or never answered for days): kept for an operator's retry. */
  deliveryFailed(id: string, failure: { errorType: string; message: string }, now: number): void {
    const r = this.record;
    const delivery = r.outbox.find((d) => d.id === id);
    if (!delivery) return;
    r.outbox = r.outbox.filter((d) => d !== delivery);
    r.failedDeliveries.push({ delivery, ...failure, failedAt: iso(now) });
    r.failedDeliveries = bounded(r.failedDeliveries, this.maxFailed);
    // HubSpot deleted the person for privacy reasons: their data goes even when the backend refused to hear it.
    if (r.forgetWhenDelivered?.deliveryId === id) this.forgetPending = r.forgetWhenDelivered.seq;
    this.touch(now);
  }

  /** True once a GDPR delete was confirmed: the run must end (or start afresh with what was queued behind it). */
  get wasForgotten(): boolean {
    return this.forgotten;
  }

  /**
   * The next call to make, or undefined when nothing is left. Events that need no call (a replay every later
   * event has overtaken, a resync of a lead HubSpot never had) are settled on the way.
   */
  next(now: number): Step | undefined {
    if (this.current) return this.current.step;
    if (this.forgetPending !== undefined) {
      this.forget(this.forgetPending);
      return undefined;
    }
    // HubSpot deleted the person for privacy reasons: what the backend sent since waits for a new lead, which starts
    // once the backend was told.
    if (this.record.forgetWhenDelivered) return undefined;
    while (this.record.queue.length > 0) {
      if (this.record.queue[0]!.event.kind === 'hubspot') {
        this.settleInbound(this.record.queue.shift()!.event, now);
        if (this.forgotten || this.record.forgetWhenDelivered) return undefined;
        continue;
      }
      const refusal = this.refusal(this.record.queue[0]!.event);
      if (refusal) {
        const { event } = this.record.queue.shift()!;
        this.record.failed.push({ event, errorType: FailureType.InvalidInput, message: refusal, failedAt: iso(now) });
        this.record.processedEvents += 1;
        this.touch(now);
        continue;
      }
      const run = this.takeRun();
      // Forgotten means forgotten: nothing queued before a delete comes back through a replay.
      const entries = run.filter((e) => !e.replay || (e.event.seq ?? 0) > this.record.deletedAtSeq);
      const step = entries.length > 0 ? this.stepFor(entries) : undefined;
      this.record.processedEvents += step ? run.length - entries.length : run.length;
      if (step) {
        this.current = { step, entries };
        return step;
      }
      this.touch(now);
    }
    return undefined;
  }

  /** HubSpot applied the current step. */
  succeeded(result: StepResult, now: number): void {
    const current = this.takeCurrent();
    const r = this.record;
    const seq = Math.max(...current.entries.map((e) => e.event.seq ?? 0));
    switch (result.kind) {
      case 'write': {
        const sources = current.step.kind === 'write' ? current.step.sources : {};
        r.hubspotId = result.id;
        r.hubspot.deleted = false;
        r.lastWriteAt = Math.max(r.lastWriteAt ?? 0, result.at ?? now);
        for (const [name, value] of Object.entries(result.properties)) {
          r.properties[name] = value;
          r.writtenAt[name] = Math.max(r.writtenAt[name] ?? 0, sources[name] ?? seq);
          r.changedAt[name] = Math.max(r.changedAt[name] ?? 0, result.at ?? now);
          // HubSpot holds the backend's value now, not the one its users set.
          delete r.hubspot.properties[name];
        }
        break;
      }
      case 'unsubscribe': {
        const { subscriptionId } = current.step.kind === 'unsubscribe' ? current.step.event : {};
        if (subscriptionId === undefined) r.subscription.unsubscribedFromAll = true;
        else if (!r.subscription.unsubscribed.includes(subscriptionId))
          r.subscription.unsubscribed.push(subscriptionId);
        this.optOutChanged(subscriptionId, now);
        break;
      }
      case 'resubscribe': {
        const all = current.step.kind === 'resubscribe' && current.step.event.subscriptionId === undefined;
        for (const side of [r.subscription, r.hubspot.subscription]) {
          side.unsubscribed = side.unsubscribed.filter((id) => !result.resubscribed.includes(id));
          if (all) side.unsubscribedFromAll = false;
        }
        if (all) this.optOutChanged(undefined, now);
        for (const id of result.resubscribed) this.optOutChanged(id, now);
        break;
      }
      case 'delete':
        this.forget(seq);
        break;
      case 'resync':
        if (result.id !== undefined) r.hubspotId = result.id;
        break;
    }
    r.lastSyncedAt = iso(now);
    r.processedEvents += current.entries.length;
    this.touch(now);
  }

  /**
   * HubSpot rejected the current step for good. A folded write goes back into the queue as its events, each on its
   * own, so one bad property fails only the event that carried it; anything else becomes a failed event.
   */
  failed(failure: { errorType: string; message: string }, now: number): void {
    const current = this.takeCurrent();
    if (current.step.kind === 'write' && current.entries.length > 1) {
      this.record.queue.unshift(...current.entries.map((e) => ({ ...e, alone: true })));
      this.touch(now);
      return;
    }
    for (const { event } of current.entries) {
      this.record.failed.push({ event, errorType: failure.errorType, message: failure.message, failedAt: iso(now) });
    }
    this.record.failed = bounded(this.record.failed, this.maxFailed);
    this.record.processedEvents += current.entries.length;
    this.touch(now);
  }

  /** Puts the current step back at the head of the queue, untouched (the run must continue-as-new first). */
  requeue(): void {
    const current = this.takeCurrent();
    this.record.queue.unshift(...current.entries);
  }

  /** `blocked` when the workflow is waiting for the portal's connection. */
  status(blocked: boolean): LeadSyncStatusName {
    const r = this.record;
    if (blocked) return 'blocked';
    if (r.failed.length + r.failedDeliveries.length > 0) return 'failed';
    return this.current !== undefined || r.queue.length > 0 ? 'pending' : 'synced';
  }

  get hubspotId(): string | undefined {
    return this.record.hubspotId;
  }

  /** The state anyone may see. */
  view(blocked: boolean): LeadState {
    const r = this.record;
    const pending = [
      ...(this.current?.entries ?? []).map((e) => ({ ...summary(e.event), inFlight: true })),
      ...r.queue.map((e) => summary(e.event)),
    ];
    return {
      email: r.email,
      portalId: r.portalId,
      status: this.status(blocked),
      hubspotId: r.hubspotId,
      deleted: this.forgotten,
      properties: { ...r.properties },
      subscription: { ...r.subscription, unsubscribed: [...r.subscription.unsubscribed] },
      pending,
      failed: r.failed.map((f) => ({ ...f })),
      processedEvents: r.processedEvents,
      lastSyncedAt: r.lastSyncedAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      hubspot: copy(r.hubspot),
      deliveries: {
        pending: r.outbox.map((d) => ({ id: d.id, type: d.type, occurredAt: d.occurredAt })),
        failed: copy(r.failedDeliveries),
        delivered: r.delivered,
      },
    };
  }

  /**
   * After a confirmed GDPR delete, the events queued behind it belong to a new lead with the same address: a fresh
   * ledger that has seen only them, as if the address had never been known.
   */
  successor(now: number): LeadLedger {
    const next = LeadLedger.create({ email: this.record.email, portalId: this.record.portalId, now }, this.options);
    // HubSpot's reports about the forgotten contact (its own deletion events among them) die with it.
    for (const { event } of this.record.queue) if (event.kind !== 'hubspot') next.accept(event, now);
    return next;
  }

  /** Whether anything but HubSpot's reports about the forgotten contact waits: a new lead must take it. */
  hasSuccessorWork(): boolean {
    return this.record.queue.some(({ event }) => event.kind !== 'hubspot');
  }

  /** What the next run starts from. The step in flight, if any, goes first in its queue. */
  snapshot(): LeadRecord {
    const queue = [...(this.current?.entries ?? []), ...this.record.queue];
    return copy({ ...this.record, queue: compacted(queue), seen: this.memory.snapshot() });
  }

  /** A run of consecutive property writes folds into one (later values win); anything else goes alone. */
  private takeRun(): QueuedEvent[] {
    const queue = this.record.queue;
    const first = queue.shift()!;
    const run = [first];
    if (!isWrite(first.event) || first.alone) return run;
    while (queue.length > 0) {
      const next = queue[0]!;
      if (!isWrite(next.event) || next.alone || (next.replay ?? false) !== (first.replay ?? false)) break;
      run.push(queue.shift()!);
    }
    return run;
  }

  private stepFor(entries: QueuedEvent[]): Step | undefined {
    const r = this.record;
    const first = entries[0]!;
    const replay = first.replay ?? false;
    const event = first.event;
    switch (event.kind) {
      case 'register':
      case 'update': {
        const events = entries.map((e) => e.event as WriteEvent);
        const properties: LeadProperties = {};
        const sources: Record<string, number> = {};
        for (const e of events) {
          for (const [name, value] of Object.entries(e.properties)) {
            if (replay && (r.writtenAt[name] ?? 0) > (e.seq ?? 0)) continue;
            properties[name] = value;
            sources[name] = e.seq ?? 0;
          }
        }
        // A replay that later events overtook completely has nothing left to say; a register always reaches
        // HubSpot, since a registered lead is a contact whatever properties it has.
        if (replay && Object.keys(properties).length === 0 && r.hubspotId !== undefined) return undefined;
        return { kind: 'write', properties, sources, events, replay };
      }
      case 'unsubscribe':
        return { kind: 'unsubscribe', event };
      case 'resubscribe':
        return { kind: 'resubscribe', event, subscription: copy(r.subscription) };
      case 'delete':
        return { kind: 'delete', event };
      case 'resync': {
        const known =
          r.hubspotId !== undefined || r.subscription.unsubscribedFromAll || r.subscription.unsubscribed.length > 0;
        if (!known) return undefined;
        return {
          kind: 'resync',
          event,
          properties: { ...r.properties },
          subscription: copy(r.subscription),
        };
      }
    }
  }

  /**
   * Our own opt-out change, as HubSpot's contact property shows it: a report of that property from before it (a poll
   * or webhook still on its way) is older news.
   */
  private optOutChanged(subscriptionId: string | undefined, now: number): void {
    const name = optOutProperty(subscriptionId);
    this.record.changedAt[name] = Math.max(this.record.changedAt[name] ?? 0, now);
  }

  /** A change HubSpot reported: applied to the record, with what the backend must be told put in the outbox. */
  private settleInbound(event: LeadEvent, now: number): void {
    if (event.kind !== 'hubspot') return;
    const outcome = applyInbound(this.record, event, now);
    this.record.outbox.push(...outcome.deliveries);
    this.record.outbox = compactedOutbox(this.record.outbox);
    if (outcome.forget) {
      const last = outcome.deliveries.at(-1);
      if (last) this.record.forgetWhenDelivered = { deliveryId: last.id, seq: event.seq ?? 0 };
      else this.forget(event.seq ?? 0);
    }
  }

  /** An event the ledger refuses before any call: why, or undefined when it may go to HubSpot. */
  private refusal(event: LeadEvent): string | undefined {
    if (event.kind !== 'resubscribe' || event.legalBasis !== undefined) return undefined;
    const optedOut = this.record.hubspot.subscription;
    const undone =
      event.subscriptionId === undefined
        ? optedOut.unsubscribedFromAll || optedOut.unsubscribed.length > 0
        : optedOut.unsubscribedFromAll || optedOut.unsubscribed.includes(event.subscriptionId);
    return undone
      ? 'legalBasis: required to resubscribe a lead who unsubscribed inside HubSpot (e.g. from an email footer)'
      : undefined;
  }

  /** After a confirmed GDPR delete: no personal data stays, and nothing older can come back. */
  private forget(seq: number): void {
    const r = this.record;
    this.forgetPending = undefined;
    r.hubspotId = undefined;
    r.properties = {};
    r.subscription = { unsubscribedFromAll: false, unsubscribed: [] };
    r.writtenAt = {};
    r.changedAt = {};
    r.hubspot = emptyHubSpotSide();
    r.outbox = [];
    r.failedDeliveries = [];
    r.forgetWhenDelivered = undefined;
    r.deletedAtSeq = seq;
    r.failed = r.failed.filter((f) => (f.event.seq ?? 0) > seq);
    // Replays queued while the delete was in flight are older than it: they go too, with their personal data.
    const stale = r.queue.filter((e) => e.replay && (e.event.seq ?? 0) <= seq);
    r.queue = r.queue.filter((e) => !stale.includes(e));
    r.processedEvents += stale.length;
    this.forgotten = true;
  }

  private takeCurrent(): { step: Step; entries: QueuedEvent[] } {
    const current = this.current;
    if (!current) throw new Error('no step in flight');
    this.current = undefined;
    return current;
  }

  private touch(now: number): void {
    this.record.updatedAt = iso(now);
  }
}

/** Past this size a queue carried to the next run is compacted, so the continue-as-new input stays well under 2 MiB. */
const COMPACT_QUEUE_BYTES = 256 * 1024;

/**
 * A long queue (a lead parked for days while updates kept coming) is carried with each run of consecutive plain
 * property writes merged into one event, later values winning: what folding would send anyway. The merged event
 * keeps the newest event's id and arrival number; if HubSpot then rejects it, it fails as one event.
 */
function compacted(queue: QueuedEvent[]): QueuedEvent[] {
  if (JSON.stringify(queue).length <= COMPACT_QUEUE_BYTES) return queue;
  const plain = (e: QueuedEvent | undefined): e is QueuedEvent & { event: WriteEvent } =>
    e !== undefined && isWrite(e.event) && !e.replay && !e.alone;
  const out: QueuedEvent[] = [];
  for (const entry of queue) {
    const last = out.at(-1);
    if (plain(last) && plain(entry)) {
      const kind = last.event.kind === 'register' || entry.event.kind === 'register' ? 'register' : 'update';
      last.event = { ...entry.event, kind, properties: { ...last.event.properties, ...entry.event.properties } };
    } else {
      out.push({ ...entry });
    }
  }
  return out;
}

/** Keeps the newest `max` entries, and no more than MAX_FAILED_BYTES of them. */
function bounded<T>(entries: T[], max: number): T[] {
  const kept = entries.slice(Math.max(0, entries.length - max));
  while (kept.length > 1 && JSON.stringify(kept).length > MAX_FAILED_BYTES) kept.shift();
  return kept;
}

/**
 * While the backend is down for days, a busy contact's updates pile up in the outbox: past COMPACT_QUEUE_BYTES,
 * consecutive `lead.updated` deliveries merge into one (later values winning, the newest id kept), which says the
 * same to a backend that applies them in order.
 */
function compactedOutbox(outbox: BackendDelivery[]): BackendDelivery[] {
  if (JSON.stringify(outbox).length <= COMPACT_QUEUE_BYTES) return outbox;
  const out: BackendDelivery[] = [];
  for (const delivery of outbox) {
    const last = out.at(-1);
    if (last?.type === 'lead.updated' && delivery.type === 'lead.updated') {
      out[out.length - 1] = { ...delivery, changes: { ...last.changes, ...delivery.changes } };
    } else out.push(delivery);
  }
  return out;
}

/** Records carried from runs before two-way sync existed lack its fields. */
function withDefaults(record: LeadRecord): LeadRecord {
  return {
    ...record,
    changedAt: record.changedAt ?? {},
    hubspot: record.hubspot ?? emptyHubSpotSide(),
    outbox: record.outbox ?? [],
    failedDeliveries: record.failedDeliveries ?? [],
    delivered: record.delivered ?? 0,
  };
}

/** A deep copy of plain JSON data (the workflow sandbox has no structuredClone). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function summary(event: LeadEvent) {
  return { eventId: event.eventId, kind: event.kind, receivedAt: event.receivedAt };
}
