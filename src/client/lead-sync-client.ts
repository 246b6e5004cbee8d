import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_TASK_QUEUE, leadWorkflowId } from '../shared/ids.js';
import type { LeadEvent, LeadEventBody, LeadState } from '../shared/lead-types.js';
import { leadEventSignal, leadStateQuery, retryFailedSignal } from '../shared/messages.js';
import { HubSpotPortal, LeadEmail } from '../shared/search-attributes.js';
import { createDataConverter } from '../temporal/data-converter.js';
import { parseEncryptionKeys } from '../temporal/keys.js';
import type { EncryptionKey } from '../temporal/codec.js';
import type { leadSync } from '../workflows/lead-sync.js';
import {
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
  /** How long an idle lead workflow stays open before completing. */
  leadIdleTimeoutMs?: number;
}

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

  constructor(private readonly options: LeadSyncClientOptions) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
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

  /** Re-applies the lead's last known state to HubSpot (an operator's repair after edits in HubSpot). */
  resync(input: LeadOnlyInput): Promise<Accepted> {
    const { email, eventId } = parseInput(leadOnlyInput, input);
    return this.send(email, eventId, { kind: 'resync' });
  }

  /** Replays failed events (all, or those named), after their cause was fixed. */
  async retryFailed(input: RetryFailedInput): Promise<{ workflowId: string }> {
    const { email, eventIds } = parseInput(retryFailedInput, input);
    const workflowId = leadWorkflowId(email);
    await this.options.client.workflow.signalWithStart<typeof leadSync, [{ eventIds?: string[] }]>('leadSync', {
      ...this.startOptions(email),
      signal: retryFailedSignal,
      signalArgs: [{ eventIds }],
    });
    return { workflowId };
  }

  /** The lead's state as its workflow sees it, or undefined for a lead this service never saw. */
  async status(email: string): Promise<LeadState | undefined> {
    const { email: normalized } = parseInput(leadOnlyInput, { email });
    try {
      return await this.options.client.workflow.getHandle(leadWorkflowId(normalized)).query(leadStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private async send(email: string, eventId: string | undefined, body: LeadEventBody): Promise<Accepted> {
    const event = {
      ...body,
      eventId: eventId ?? randomUUID(),
      email,
      receivedAt: new Date().toISOString(),
    } as LeadEvent;
    const workflowId = leadWorkflowId(email);
    await this.options.client.workflow.signalWithStart<typeof leadSync, [LeadEvent]>('leadSync', {
      ...this.startOptions(email),
      signal: leadEventSignal,
      signalArgs: [event],
    });
    return { workflowId, eventId: event.eventId };
  }

  private startOptions(email: string) {
    return {
      workflowId: leadWorkflowId(email),
      taskQueue: this.taskQueue,
      args: [{ email, portalId: this.options.portalId, idleTimeoutMs: this.options.leadIdleTimeoutMs }] as Parameters<
        typeof leadSync
      >,
      typedSearchAttributes: [
        { key: LeadEmail, value: email },
        { key: HubSpotPortal, value: this.options.portalId },
      ],
    };
  }
}
