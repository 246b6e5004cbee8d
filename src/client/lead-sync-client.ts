import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_TASK_QUEUE, leadWorkflowId } from '../shared/ids.js';
import type { DedupeLimits, LeadEvent, LeadEventBody, LeadState } from '../shared/lead-types.js';
import { leadEventSignal, leadStateQuery, retryFailedSignal } from '../shared/messages.js';
import { HubSpotPortal, LeadEmail, LeadSyncStatus } from '../shared/search-attributes.js';
import { createDataConverter } from '../temporal/data-converter.js';
import { parseEncryptionKeys } from '../temporal/keys.js';
import type { EncryptionKey } from '../temporal/codec.js';
import type { leadSync } from '../workflows/lead-sync.js';
import {
  batchOf,
  eventOutcomesInput,
  inOrderPerEmail,
  outcomeIn,
  type BatchItemResult,
  type EventOutcome,
} from './lead-batch.js';
import {
  listLeads,
  STARTED_BY_MEMO,
  visibleLeads,
  type LeadListRequest,
  type LeadPage,
  type VisibleLead,
} from './lead-list.js';
import { verifyWebhook } from './webhook-signature.js';
import {
  LeadInputError,
  leadOnlyInput,
  parseInput,
  registerInput,
  retryFailedInput,
  subscriptionInput,
  updateInput,
  type LeadOnlyInput,
  type RegisterInput,
  type RetryFailedInput,
  type SubscriptionInput,
  type UpdateInput,
} from './schemas.js';

export interface LeadSyncClientOptions {
  client: Client;
  /** The HubSpot portal (hub id) these leads belong to. */
  portalId: string;
  taskQueue?: string;
  /** How long a lead with nothing to do waits before its workflow continues-as-new to a compact history. */
  leadIdleTimeoutMs?: number;
  /** How long, and how many, event ids each lead remembers to drop repeats. */
  dedupe?: DedupeLimits;
}

/** An operator action on a lead this service does not hold: never seen, or forgotten by a GDPR delete. */
export class LeadNotFoundError extends Error {
  readonly statusCode = 404;
  constructor(readonly workflowId: string) {
    super('no lead with this email is known in this portal (never registered, or deleted)');
    this.name = 'LeadNotFoundError';
  }
}

type RegisterLead = ReturnType<typeof registerInput.parse>;

/** Signal-with-starts in flight for one batch: enough to keep the server busy, few enough to stay under its limits. */
const BATCH_CONCURRENCY = 16;
/** Queries wake the lead's workflow on a worker (replaying it when it is not cached): fewer run side by side. */
const QUERY_CONCURRENCY = 16;

export interface Accepted {
  workflowId: string;
  eventId: string;
}

/**
 * The backend's entry point. Every write is one signal-with-start on the lead's workflow and resolves once
 * Temporal has durably accepted the event; HubSpot is reached asynchronously, in order, by the worker.
 */
export class LeadSyncClient {
  readonly taskQueue: string;

  /**
   * Checks a delivery's `LeadSync-Signature` header over the raw body as received (not re-serialised JSON) and
   * refuses one older than five minutes: `if (!LeadSyncClient.verifyWebhook(raw, header, secret)) return 401`.
   */
  static verifyWebhook(rawBody: string | Buffer, header: string | string[] | undefined, secret: string): boolean {
    return verifyWebhook(rawBody, header, secret);
  }

  constructor(private readonly options: LeadSyncClientOptions) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  }

  /** The portal these leads belong to. */
  get portalId(): string {
    return this.options.portalId;
  }

  /**
   * Connects with the standard TEMPORAL_* variables (or profiles) and the service's encrypting data converter.
   * `encryptionKeys` defaults to LEADSYNC_ENCRYPTION_KEY and must match the worker's.
   */
  static async connect(options: {
    portalId: string;
    taskQueue?: string;
    encryptionKeys?: string | EncryptionKey[];
    address?: string;
    namespace?: string;
  }): Promise<LeadSyncClient> {
    const keysSource = options.encryptionKeys ?? process.env.LEADSYNC_ENCRYPTION_KEY;
    if (!keysSource) throw new Error('LeadSyncClient.connect: LEADSYNC_ENCRYPTION_KEY (or encryptionKeys) is required');
    const keys = typeof keysSource === 'string' ? parseEncryptionKeys(keysSource) : keysSource;
    const { connectionOptions, namespace } = loadClientConnectConfig();
    const connection = await Connection.connect({
      ...connectionOptions,
      ...(options.address ? { address: options.address } : {}),
    });
    const client = new Client({
      connection,
      namespace: options.namespace ?? namespace ?? 'default',
      dataConverter: createDataConverter(keys),
    });
    return new LeadSyncClient({
      client,
      portalId: options.portalId,
      taskQueue: options.taskQueue ?? process.env.TEMPORAL_TASK_QUEUE,
    });
  }

  register(input: RegisterInput): Promise<Accepted> {
    const { email, properties, eventId } = parseInput(registerInput, input);
    return this.send(email, eventId, { kind: 'register', properties });
  }

  update(input: UpdateInput): Promise<Accepted> {
    const { email, properties, eventId } = parseInput(updateInput, input);
    return this.send(email, eventId, { kind: 'update', properties });
  }

  unsubscribe(input: SubscriptionInput): Promise<Accepted> {
    const { email, eventId, ...change } = parseInput(subscriptionInput, input);
    return this.send(email, eventId, { kind: 'unsubscribe', ...change });
  }

  resubscribe(input: SubscriptionInput): Promise<Accepted> {
    const { email, eventId, ...change } = parseInput(subscriptionInput, input);
    return this.send(email, eventId, { kind: 'resubscribe', ...change });
  }

  /** GDPR delete: HubSpot removes the contact permanently. */
  delete(input: LeadOnlyInput): Promise<Accepted> {
    const { email, eventId } = parseInput(leadOnlyInput, input);
    return this.send(email, eventId, { kind: 'delete' });
  }

  /**
   * Re-applies the lead's last known state to HubSpot (an operator's repair after edits in HubSpot). Only for a lead
   * the service holds: repairing one it never had would create a contact nobody registered.
   */
  async resync(input: LeadOnlyInput): Promise<Accepted> {
    const { email, eventId } = parseInput(leadOnlyInput, input);
    const event = this.event(email, eventId, { kind: 'resync' });
    return {
      workflowId: await this.signalExisting(email, (h) => h.signal(leadEventSignal, event)),
      eventId: event.eventId,
    };
  }

  /** Replays failed events (all, or those named), after their cause was fixed. */
  async retryFailed(input: RetryFailedInput): Promise<{ workflowId: string }> {
    const { email, eventIds } = parseInput(retryFailedInput, input);
    return { workflowId: await this.signalExisting(email, (h) => h.signal(retryFailedSignal, { eventIds })) };
  }

  /**
   * Registers many leads at once (at most 500): each item is checked and sent on its own, so a bad one never stops
   * the others, and items of one email are sent in the order given. The answer has one result per item.
   */
  async registerBatch(items: unknown): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = [];
    const valid: Array<{ email: string; run: () => Promise<BatchItemResult> }> = [];
    batchOf(items, 'leads').forEach((item, index) => {
      let input: RegisterLead;
      try {
        input = parseInput(registerInput, item);
      } catch (err) {
        if (!(err instanceof LeadInputError)) throw err;
        results.push({ index, accepted: false, error: 'invalid_input', issues: err.issues });
        return;
      }
      const { email, eventId, properties } = input;
      valid.push({
        email,
        run: () =>
          this.send(email, eventId, { kind: 'register', properties }).then(
            (accepted): BatchItemResult => ({ index, accepted: true, ...accepted }),
            (err: Error): BatchItemResult => ({
              index,
              accepted: false,
              error: 'unavailable',
              message: firstLine(err),
            }),
          ),
      });
    });
    results.push(...(await inOrderPerEmail(valid, BATCH_CONCURRENCY)));
    return results.sort((a, b) => a.index - b.index);
  }

  /**
   * Where each event stands (pending, synced, failed...). Visibility answers, many leads at a time, for a lead whose
   * workflow the event itself started (its status is that event's) and for any lead still pending. Only the others
   * are asked by query, which names the event exactly: a lead that existed before may show an older status.
   */
  async eventOutcomes(events: unknown): Promise<EventOutcome[]> {
    const list = parseInput(eventOutcomesInput, { events: batchOf(events, 'events') }).events;
    const emails = [...new Set(list.map((e) => e.email))];
    const visible = await visibleLeads(this.options.client, this.options.portalId, emails).catch(
      () => new Map<string, VisibleLead>(),
    );
    const answered = (email: string, eventId: string): EventOutcome | undefined => {
      const lead = visible.get(email);
      if (lead?.status === 'pending') return { email, eventId, outcome: 'pending' };
      if (lead?.startedBy === eventId && lead.status !== 'failed') return { email, eventId, outcome: lead.status };
      return undefined;
    };
    const toQuery = [...new Set(list.filter((e) => !answered(e.email, e.eventId)).map((e) => e.email))];
    const states = await inOrderPerEmail(
      // A lead whose query failed (a busy worker, a timeout) is reported pending: the caller asks again later.
      toQuery.map((email) => ({ email, run: () => this.status(email).catch(() => 'unreadable' as const) })),
      QUERY_CONCURRENCY,
    );
    const queried = new Map(toQuery.map((email, i) => [email, states[i]]));
    return list.map(
      ({ email, eventId }) =>
        answered(email, eventId) ?? outcomeIn(queried.has(email) ? queried.get(email) : 'unreadable', email, eventId),
    );
  }

  /** A page of this portal's leads from visibility, optionally only those with one status. */
  list(request: Omit<LeadListRequest, 'portalId'>): Promise<LeadPage> {
    return listLeads(this.options.client, { ...request, portalId: this.options.portalId });
  }

  /** The lead's state as its workflow sees it, or undefined for a lead this service never saw. */
  async status(email: string): Promise<LeadState | undefined> {
    const { email: normalized } = parseInput(leadOnlyInput, { email });
    try {
      return await this.options.client.workflow.getHandle(this.workflowId(normalized)).query(leadStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private workflowId(email: string): string {
    return leadWorkflowId(this.options.portalId, email);
  }

  private async signalExisting(
    email: string,
    signal: (handle: WorkflowHandle<typeof leadSync>) => Promise<void>,
  ): Promise<string> {
    const workflowId = this.workflowId(email);
    try {
      await signal(this.options.client.workflow.getHandle<typeof leadSync>(workflowId));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new LeadNotFoundError(workflowId);
      throw err;
    }
    return workflowId;
  }

  private event(email: string, eventId: string | undefined, body: LeadEventBody): LeadEvent {
    return { ...body, eventId: eventId ?? randomUUID(), email, receivedAt: new Date().toISOString() };
  }

  private async send(email: string, eventId: string | undefined, body: LeadEventBody): Promise<Accepted> {
    const event = this.event(email, eventId, body);
    const workflowId = this.workflowId(email);
    await this.options.client.workflow.signalWithStart<typeof leadSync, [LeadEvent]>('leadSync', {
      ...this.startOptions(email),
      memo: { [STARTED_BY_MEMO]: event.eventId },
      signal: leadEventSignal,
      signalArgs: [event],
    });
    return { workflowId, eventId: event.eventId };
  }

  private startOptions(email: string) {
    const { portalId, leadIdleTimeoutMs, dedupe } = this.options;
    return {
      workflowId: this.workflowId(email),
      taskQueue: this.taskQueue,
      args: [{ email, portalId, idleTimeoutMs: leadIdleTimeoutMs, dedupe }] as Parameters<typeof leadSync>,
      // Set with the start, so a new lead's first workflow task has no search-attribute write of its own.
      typedSearchAttributes: [
        { key: LeadEmail, value: email },
        { key: HubSpotPortal, value: this.options.portalId },
        { key: LeadSyncStatus, value: 'pending' },
      ],
    };
  }
}

function firstLine(err: Error): string {
  return err.message.split('\n')[0] ?? 'Temporal did not accept the event';
}
