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
  | { kind: 'write'; id: string; properties: Record<string, string> }
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

const EVENT_KINDS: readonly string[] = ['register', 'update', 'unsubscribe', 'resubscribe', 'delete', 'resync'];
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
  if (!isWrite(event)) return true;
  const { properties } = event as { properties?: unknown };
  return typeof properties === 'object' && properties !== null && !Array.isArray(properties);
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

  private constructor(
    record: LeadRecord,
    private readonly options: LedgerOptions,
  ) {
    this.record = record;
    this.memory = new EventMemory({ ...DEFAULT_EVENT_MEMORY, ...options.memory }, record.seen);
    this.maxFailed = options.maxFailed ?? MAX_FAILED;
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
    const chosen = this.record.failed.filter((f) => !eventIds || eventIds.includes(f.event.eventId));
    if (chosen.length === 0) return 0;
    this.record.failed = this.record.failed.filter((f) => !chosen.includes(f));
    for (const f of chosen) this.record.queue.push({ event: f.event, replay: true });
    this.touch(now);
    return chosen.length;
  }

  hasWork(): boolean {
    return this.current !== undefined || this.record.queue.length > 0;
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
    while (this.record.queue.length > 0) {
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
        for (const [name, value] of Object.entries(result.properties)) {
          r.properties[name] = value;
          r.writtenAt[name] = Math.max(r.writtenAt[name] ?? 0, sources[name] ?? seq);
        }
        break;
      }
      case 'unsubscribe': {
        const { subscriptionId } = current.step.kind === 'unsubscribe' ? current.step.event : {};
        if (subscriptionId === undefined) r.subscription.unsubscribedFromAll = true;
        else if (!r.subscription.unsubscribed.includes(subscriptionId))
          r.subscription.unsubscribed.push(subscriptionId);
        break;
      }
      case 'resubscribe': {
        const all = current.step.kind === 'resubscribe' && current.step.event.subscriptionId === undefined;
        r.subscription.unsubscribed = r.subscription.unsubscribed.filter((id) => !result.resubscribed.includes(id));
        if (all) r.subscription.unsubscribedFromAll = false;
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
    this.record.failed.splice(0, Math.max(0, this.record.failed.length - this.maxFailed));
    while (this.record.failed.length > 1 && JSON.stringify(this.record.failed).length > MAX_FAILED_BYTES) {
      this.record.failed.shift();
    }
    this.record.processedEvents += current.entries.length;
    this.touch(now);
  }

  /** Puts the current step back at the head of the queue, untouched (the run must continue-as-new first). */
  requeue(): void {
    const current = this.takeCurrent();
    this.record.queue.unshift(...current.entries);
  }

  /** The state anyone may see; `blocked` when the workflow is waiting for the portal's connection. */
  view(blocked: boolean): LeadState {
    const r = this.record;
    const pending = [
      ...(this.current?.entries ?? []).map((e) => ({ ...summary(e.event), inFlight: true })),
      ...r.queue.map((e) => summary(e.event)),
    ];
    const status: LeadSyncStatusName = blocked
      ? 'blocked'
      : r.failed.length > 0
        ? 'failed'
        : pending.length > 0
          ? 'pending'
          : 'synced';
    return {
      email: r.email,
      portalId: r.portalId,
      status,
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
    };
  }

  /**
   * After a confirmed GDPR delete, the events queued behind it belong to a new lead with the same address: a fresh
   * ledger that has seen only them, as if the address had never been known.
   */
  successor(now: number): LeadLedger {
    const next = LeadLedger.create({ email: this.record.email, portalId: this.record.portalId, now }, this.options);
    for (const { event } of this.record.queue) next.accept(event, now);
    return next;
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

  /** After a confirmed GDPR delete: no personal data stays, and nothing older can come back. */
  private forget(seq: number): void {
    const r = this.record;
    r.hubspotId = undefined;
    r.properties = {};
    r.subscription = { unsubscribedFromAll: false, unsubscribed: [] };
    r.writtenAt = {};
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

/** A deep copy of plain JSON data (the workflow sandbox has no structuredClone). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function summary(event: LeadEvent) {
  return { eventId: event.eventId, kind: event.kind, receivedAt: event.receivedAt };
}
