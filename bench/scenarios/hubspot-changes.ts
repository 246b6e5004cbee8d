import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createLogger } from '../../src/service/logger.js';
import { startService, type RunningService } from '../../src/service/service.js';
import { changeFeedWorkflowId } from '../../src/shared/ids.js';
import { changeFeedQuery } from '../../src/shared/messages.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { generateKeyString, parseEncryptionKeys } from '../../src/temporal/keys.js';
import { CallSampler } from '../lib/call-sampler.js';
import { benchEmails, registerOverHttp } from '../lib/http-load.js';
import { startBenchService, type BenchService } from '../lib/in-process-service.js';
import { median } from '../lib/memory.js';
import type { ServiceScenarioOptions } from '../lib/service-scenario.js';
import { deadlineFor, waitUntil } from '../lib/wait.js';
import { BackendReceiver, type ReceivedDelivery } from '../../test/helpers/backend-receiver.js';

/** HubSpot's search limit, 5 per second, per minute. */
export const SEARCH_LIMIT_PER_MINUTE = 300;
const HUBSPOT_BURST = { max: 100, intervalMs: 10_000 };
const SECRET = 'bench-backend-webhook-secret';

export interface Spread {
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

export interface HubSpotChangesResult {
  scenario: 'hubspot-changes';
  webhooks: {
    leads: number;
    /** From the answer of the edit's PATCH to the backend receiving that lead's delivery. */
    latency: Spread;
    /** The sandbox's own hop: from the same answer to its webhook request leaving for the service. */
    hop: Spread;
    /** Median latency ÷ median hop. */
    ratio: number;
    exactlyOnce: boolean;
  };
  polling: {
    leads: number;
    intervalMs: number;
    windowSeconds: number;
    idleSearchesPerMinute: number;
    /** What one poll of a quiet portal costs. */
    idleSearchesPerPoll: number;
    busySearchesPerMinute: number;
    /** busySearchesPerMinute against HubSpot's 300 per minute. */
    busyShare: number;
    /** The most searches in any 1-second window, idle or busy (HubSpot allows 5). */
    peakSearchesPerSecond: number;
    rateLimited: number;
    latency: Spread;
    exactlyOnce: boolean;
  };
}

interface Lead {
  email: string;
  hubspotId: string;
}
interface Edit {
  email: string;
  jobtitle: string;
  answeredAt: number;
}
type ChangesOptions = ServiceScenarioOptions & { pollLeads: number; pollIntervalMs: number; changeWindowMs: number };
type Backend = BackendReceiver;
type Feed = Awaited<ReturnType<typeof changeFeed>>;

/**
 * Edits made inside HubSpot (the sandbox) reaching the backend: by webhooks, against the sandbox's own webhook hop,
 * and by polling, with the searches it spends idle and busy.
 */
export async function runHubSpotChanges(options: ChangesOptions): Promise<HubSpotChangesResult> {
  return { scenario: 'hubspot-changes', webhooks: await overWebhooks(options), polling: await byPolling(options) };
}

async function overWebhooks(options: ChangesOptions): Promise<HubSpotChangesResult['webhooks']> {
  const key = generateKeyString();
  const backend = await BackendReceiver.start(SECRET);
  let service: BenchService | undefined;
  let feed: Feed | undefined;
  try {
    const running = (service = await startBenchService({
      name: 'hubspot-changes',
      temporalAddress: options.temporalAddress,
      workflowBundle: options.workflowBundle,
      env: { ...options.serviceEnv, LEADSYNC_ENCRYPTION_KEY: key, ...backendEnv(backend) },
      rateLimit: HUBSPOT_BURST,
    }));
    const webhookFeed = (feed = await changeFeed(options.temporalAddress, key, running.portalId()!));
    const { sandbox } = running;
    /** Every webhook the sandbox had to send is in and routed, and every lead has applied and delivered it. */
    const settled = async (emails: string[]) => {
      await sandbox.webhooks.idle();
      await waitUntil(
        async () => {
          const f = await webhookFeed.state();
          return f.backlog === 0 && f.received === f.routed + f.unrouted;
        },
        { what: 'the change feed to route what it received', timeoutMs: deadlineFor(emails.length), intervalMs: 100 },
      );
      await nothingPending(running, emails);
    };
    const emails = benchEmails('hubspot-changes', options.runId, options.leads);
    const leads = await registered(running, emails, options.concurrency);
    await settled(emails);
    const lastEventId = Math.max(0, ...sandbox.webhooks.attempts().flatMap((a) => a.eventIds));

    const edits = await editInHubSpot(sandbox.baseUrl, leads, 'webhook', options.changeWindowMs);
    const latencies = await arrivalLatencies(backend, edits);
    await settled(emails);

    // Sequential edits get ascending event ids, one each: the i-th new event is the i-th edit.
    const leftAt = new Map<number, number>();
    for (const attempt of sandbox.webhooks.attempts()) {
      for (const id of attempt.eventIds)
        if (id > lastEventId && !leftAt.has(id)) leftAt.set(id, Date.parse(attempt.at));
    }
    const ids = [...leftAt.keys()].sort((a, b) => a - b);
    if (ids.length !== edits.length) throw new Error(`${edits.length} edits made ${ids.length} webhook events`);
    const hops = edits.map((edit, i) => leftAt.get(ids[i]!)! - edit.answeredAt);
    return {
      leads: leads.length,
      latency: spread(latencies),
      hop: spread(hops),
      ratio: Math.round((median(latencies) / Math.max(1, median(hops))) * 100) / 100,
      exactlyOnce: assertExactlyOnce(backend, edits, 'webhooks'),
    };
  } finally {
    await feed?.close();
    await service?.stop();
    await backend.close();
  }
}

async function byPolling(options: ChangesOptions): Promise<HubSpotChangesResult['polling']> {
  const key = generateKeyString();
  const sandbox = await startSandbox({ portalId: 100_000 + Math.floor(Math.random() * 1e6), rateLimit: HUBSPOT_BURST });
  const backend = await BackendReceiver.start(SECRET);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-bench-'));
  let service: RunningService | undefined;
  let feed: Feed | undefined;
  try {
    const config = loadConfig({
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: `bench-hubspot-changes-poll-${randomUUID()}`,
      PORT: '0',
      LEADSYNC_DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      ...options.serviceEnv,
      LEADSYNC_ENCRYPTION_KEY: key,
      HUBSPOT_ACCESS_TOKEN: sandbox.staticToken,
      HUBSPOT_BASE_URL: sandbox.baseUrl,
      LEADSYNC_HUBSPOT_POLL_INTERVAL_MS: String(options.pollIntervalMs),
      // The sandbox's search has no lag to wait out.
      LEADSYNC_HUBSPOT_POLL_SETTLE_MS: '0',
      ...backendEnv(backend),
    });
    const polling = (service = await startService(config, createLogger('error'), {
      workflowBundle: options.workflowBundle,
    }));
    const pollFeed = (feed = await changeFeed(options.temporalAddress, key, String(sandbox.portalId)));
    /** Two more polls: one that started after now has ended, so what HubSpot held by now is routed. */
    const settled = async (emails: string[]) => {
      const start = (await pollFeed.state()).polls;
      await waitUntil(
        async () => {
          const f = await pollFeed.state();
          return f.polls >= start + 2 && f.backlog === 0;
        },
        { what: 'two more polls', timeoutMs: deadlineFor(0) + options.pollIntervalMs * 3, intervalMs: 100 },
      );
      await nothingPending(polling, emails);
    };
    const emails = benchEmails('hubspot-changes-poll', options.runId, options.pollLeads);
    const leads = await registered(polling, emails, options.concurrency);
    await settled(emails);

    const searches = () => sandbox.counters().requestsByRoute['contacts.search'] ?? 0;
    const limitedBefore = sandbox.counters().rateLimited;
    const sampler = new CallSampler(searches);
    const idleFrom = { searches: searches(), polls: (await pollFeed.state()).polls };
    await delay(options.changeWindowMs);
    const idle = searches() - idleFrom.searches;
    const idlePolls = (await pollFeed.state()).polls - idleFrom.polls;

    const busyFrom = searches();
    const busyEnds = performance.now() + options.changeWindowMs;
    const edits = await editInHubSpot(sandbox.baseUrl, leads, 'polled', options.changeWindowMs);
    await delay(Math.max(0, busyEnds - performance.now()));
    const busy = searches() - busyFrom;
    sampler.stop();
    const latencies = await arrivalLatencies(backend, edits);
    await settled(emails);

    const perMinute = (calls: number) => Math.round((calls * 60_000 * 10) / options.changeWindowMs) / 10;
    return {
      leads: leads.length,
      intervalMs: options.pollIntervalMs,
      windowSeconds: options.changeWindowMs / 1000,
      idleSearchesPerMinute: perMinute(idle),
      idleSearchesPerPoll: Math.round((idle / Math.max(1, idlePolls)) * 100) / 100,
      busySearchesPerMinute: perMinute(busy),
      busyShare: Math.round((perMinute(busy) / SEARCH_LIMIT_PER_MINUTE) * 1000) / 1000,
      peakSearchesPerSecond: sampler.maxInWindow(1000),
      rateLimited: sandbox.counters().rateLimited - limitedBefore,
      latency: spread(latencies),
      exactlyOnce: assertExactlyOnce(backend, edits, 'polling'),
    };
  } finally {
    await feed?.close();
    await service?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await backend.close();
    await sandbox.close();
  }
}

const backendEnv = (backend: Backend) => ({
  LEADSYNC_BACKEND_WEBHOOK_URL: backend.url,
  LEADSYNC_BACKEND_WEBHOOK_SECRET: SECRET,
});

/** The portal's change feed workflow, read with the service's key. */
async function changeFeed(temporalAddress: string, key: string, portalId: string) {
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, dataConverter: createDataConverter(parseEncryptionKeys(key)) });
  const handle = client.workflow.getHandle(changeFeedWorkflowId(portalId));
  return { state: () => handle.query(changeFeedQuery), close: () => connection.close() };
}

async function registered(service: RunningService, emails: string[], concurrency: number): Promise<Lead[]> {
  await registerOverHttp({ httpUrl: service.httpUrl, emails, concurrency, lastname: 'changes' });
  let leads: Lead[] = [];
  await waitUntil(
    async () => {
      const states = await Promise.all(emails.map((email) => service.leads().status(email)));
      leads = states.flatMap((s) =>
        s?.status === 'synced' && s.hubspotId ? [{ email: s.email, hubspotId: s.hubspotId }] : [],
      );
      return leads.length === emails.length;
    },
    {
      what: `${emails.length} leads synced`,
      timeoutMs: deadlineFor(emails.length),
      intervalMs: 500,
      progress: () => `${leads.length} so far`,
    },
  );
  return leads;
}

async function nothingPending(service: RunningService, emails: string[]): Promise<void> {
  await waitUntil(
    async () => {
      const states = await Promise.all(emails.map((email) => service.leads().status(email)));
      return states.every((s) => s && s.pending.length === 0 && s.deliveries.pending.length === 0);
    },
    { what: 'every lead to apply and deliver everything', timeoutMs: deadlineFor(emails.length), intervalMs: 200 },
  );
}

/** One edit per lead inside HubSpot, spread evenly over `spreadMs`: isolated edits, not one bulk edit. */
async function editInHubSpot(sandboxUrl: string, leads: Lead[], tag: string, spreadMs: number): Promise<Edit[]> {
  const started = performance.now();
  const edits: Edit[] = [];
  for (const [i, lead] of leads.entries()) {
    const wait = started + (spreadMs * i) / leads.length - performance.now();
    if (wait > 0) await delay(wait);
    const jobtitle = `${tag} ${i}`;
    const response = await fetch(`${sandboxUrl}/_sandbox/crm/contacts/${lead.hubspotId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { jobtitle } }),
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`PATCH of contact ${lead.hubspotId} answered ${response.status}: ${text}`);
    edits.push({ email: lead.email, jobtitle, answeredAt: Date.now() });
  }
  return edits;
}

const isDeliveryOf = (edit: Edit) => (a: ReceivedDelivery) =>
  a.delivery.email === edit.email &&
  a.delivery.type === 'lead.updated' &&
  a.delivery.changes.jobtitle === edit.jobtitle;

/** Waits until every edit reached the backend, and returns each one's latency in ms. */
async function arrivalLatencies(backend: Backend, edits: Edit[]): Promise<number[]> {
  const arrived = () => edits.filter((edit) => backend.received.some(isDeliveryOf(edit))).length;
  await waitUntil(() => arrived() === edits.length, {
    what: `${edits.length} deliveries`,
    timeoutMs: deadlineFor(edits.length),
    intervalMs: 20,
    progress: () => `${arrived()} so far`,
  });
  return edits.map((edit) => backend.received.find(isDeliveryOf(edit))!.at - edit.answeredAt);
}

/** Each edit delivered once, signed, under one delivery id, and nothing else delivered (no echo of our own writes). */
function assertExactlyOnce(backend: Backend, edits: Edit[], direction: string): true {
  const ids = new Set(backend.received.map((a) => a.delivery.id));
  const unsigned = backend.received.filter((a) => !a.signed).length;
  const notOnce = edits.filter((edit) => backend.received.filter(isDeliveryOf(edit)).length !== 1).length;
  if (backend.received.length !== edits.length || ids.size !== edits.length || unsigned > 0 || notOnce > 0) {
    throw new Error(
      `${direction}: ${edits.length} edits, ${backend.received.length} deliveries under ${ids.size} ids, ` +
        `${unsigned} unsigned, ${notOnce} edits not delivered exactly once`,
    );
  }
  return true;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    medianMs: Math.round(median(sorted)),
    p95Ms: sorted[Math.ceil(sorted.length * 0.95) - 1]!,
    maxMs: sorted[sorted.length - 1]!,
  };
}
