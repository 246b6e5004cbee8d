/**
 * `npm run record-histories`: runs the main workflows through their typical lives on a fresh dev server, with
 * stand-in activities, and writes every run's history to test/fixtures/histories/. `npm test` replays them
 * (test/workflows/replay.test.ts), so a change that would break workflows already running fails CI. Re-record only
 * for a deliberate, versioned change of a workflow's shape, and say so in CHANGELOG.md.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { defaultCacheDir, projectRoot } from '../src/project-paths.js';
import { resolveTemporalCli } from '../src/temporal/cli.js';
import { connectionWorkflowId, leadWorkflowId } from '../src/shared/ids.js';
import type { LeadEvent, LeadEventBody } from '../src/shared/lead-types.js';
import {
  connectionRestoredSignal,
  connectionStatusQuery,
  getAccessTokenUpdate,
  leadEventSignal,
  leadStateQuery,
  reauthorizeUpdate,
  retryFailedSignal,
} from '../src/shared/messages.js';
import type { hubspotConnection } from '../src/workflows/hubspot-connection.js';
import type { leadSync } from '../src/workflows/lead-sync.js';
import { eventually } from '../test/helpers/service.js';
import { workflowBundle } from '../test/helpers/temporal.js';
import { startTestTemporal } from '../test/helpers/temporal-server.js';
import { standInActivities } from '../test/workflows/helpers/stand-in-activities.js';

const execFileAsync = promisify(execFile);
const out = path.join(projectRoot, 'test', 'fixtures', 'histories');
const PORTAL = '777';
const taskQueue = 'record-histories';

async function main(): Promise<void> {
  const server = await startTestTemporal();
  const client = server.env.client;
  const cli = await resolveTemporalCli({ cacheDir: defaultCacheDir, log: () => undefined });
  if (cli.executable.type !== 'existing-path') throw new Error('no Temporal CLI binary to export histories with');
  const cliPath = cli.executable.path;
  const saveRuns = (workflowId: string, name: string) => save(client, cliPath, server.address, workflowId, name);
  const fake = standInActivities(client);
  let tokenNumber = 0;
  const activities = {
    ...fake.activities,
    refreshAccessToken: () =>
      Promise.resolve({
        accessToken: `fixture-access-${++tokenNumber}`,
        refreshToken: 'fixture-refresh',
        expiresAt: Date.now() + 4_000,
        hubId: Number(PORTAL),
      }),
  };
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  try {
    await worker.runUntil(async () => {
      await rm(out, { recursive: true, force: true });
      await mkdir(out, { recursive: true });
      await leadLife(client, fake, saveRuns);
      await connectionLife(client, saveRuns);
    });
  } finally {
    await server.teardown();
  }
}

/** Register, fold, failure and replay, park and restore, continue-as-new, idle, GDPR delete. */
type SaveRuns = (workflowId: string, name: string) => Promise<void>;

async function leadLife(client: Client, fake: ReturnType<typeof standInActivities>, saveRuns: SaveRuns): Promise<void> {
  const email = 'fixture@example.com';
  const workflowId = leadWorkflowId(PORTAL, email);
  let n = 0;
  const send = (body: LeadEventBody) =>
    client.workflow.signalWithStart<typeof leadSync, [LeadEvent]>('leadSync', {
      workflowId,
      taskQueue,
      args: [{ email, portalId: PORTAL, idleTimeoutMs: 1_500, continueAsNewAfterEvents: 60 }],
      signal: leadEventSignal,
      signalArgs: [{ ...body, eventId: `fixture-${++n}`, email, receivedAt: new Date().toISOString() }],
    });
  const handle = client.workflow.getHandle<typeof leadSync>(workflowId);
  const processed = (count: number) =>
    eventually(async () => (await handle.query(leadStateQuery)).processedEvents >= count, { what: `${count} events` });

  fake.control.reject.add('phone');
  await send({ kind: 'register', properties: { firstname: 'Fix' } });
  await send({ kind: 'update', properties: { city: 'Paris' } });
  await send({ kind: 'update', properties: { phone: '+1 555 0100' } });
  await send({ kind: 'unsubscribe', subscriptionId: '12' });
  await processed(4);
  fake.control.reject.delete('phone');
  await handle.signal(retryFailedSignal, {});
  await send({ kind: 'resubscribe' });
  await processed(5);
  fake.control.authBroken = true;
  await send({ kind: 'update', properties: { jobtitle: 'Parked' } });
  await eventually(async () => (await handle.query(leadStateQuery)).status === 'blocked', { what: 'parked' });
  fake.control.authBroken = false;
  await handle.signal(connectionRestoredSignal);
  await processed(7);
  for (let i = 0; i < 8; i++) {
    await send({ kind: 'update', properties: { lastname: `L${i}` } });
    await processed(8 + i);
  }
  const idleFrom = (await handle.describe()).runId;
  await eventually(async () => (await handle.describe()).runId !== idleFrom, { what: 'the idle continue-as-new' });
  await send({ kind: 'resync' });
  await send({ kind: 'delete' });
  await handle.result();
  await saveRuns(workflowId, 'lead');
}

/** Reauthorize, refresh on the timer, token requests, continue-as-new. */
async function connectionLife(client: Client, saveRuns: SaveRuns): Promise<void> {
  const workflowId = connectionWorkflowId(PORTAL);
  await client.workflow.start<typeof hubspotConnection>('hubspotConnection', {
    workflowId,
    taskQueue,
    args: [{ portalId: PORTAL, mode: 'oauth', refreshMarginMs: 1_000, continueAsNewAfterEvents: 40 }],
  });
  const handle = client.workflow.getHandle<typeof hubspotConnection>(workflowId);
  await handle.executeUpdate(reauthorizeUpdate, { args: [{ refreshToken: 'fixture-refresh' }] });
  const firstRun = (await handle.describe()).runId;
  await eventually(
    async () => {
      await handle.executeUpdate(getAccessTokenUpdate, { args: [{}] });
      return (await handle.describe()).runId !== firstRun;
    },
    { what: 'a refreshed connection to continue as new', timeoutMs: 60_000 },
  );
  await handle.query(connectionStatusQuery);
  await handle.terminate('recorded');
  await saveRuns(workflowId, 'connection');
}

/** Exported by the Temporal CLI, in the JSON that `historyFromJSON` (and the Web UI's download) uses. */
async function save(client: Client, cli: string, address: string, workflowId: string, name: string): Promise<void> {
  const runs = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(run);
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  for (const [i, run] of runs.entries()) {
    const { stdout } = await execFileAsync(
      cli,
      ['workflow', 'show', '--address', address, '-w', workflowId, '-r', run.runId, '--output', 'json'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const file = path.join(out, `${name}-${i + 1}.json`);
    await writeFile(file, stdout);
    console.log(`wrote ${path.relative(projectRoot, file)} (${run.historyLength} events)`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
