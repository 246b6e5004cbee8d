import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import got from 'got';
import { startSandbox } from '../../src/sandbox/index.js';
import { REPEAT_AFTER_MS, signalExitCode } from '../../src/service/stop-signals.js';
import { eventually } from '../helpers/service.js';
import { freePort } from '../helpers/net.js';
import { oauthWorkerEnv, spawnNpmScript, type EntryProcess } from '../helpers/entry-process.js';
import { groupAlive, killLeftovers, portsInUse, processesHolding } from '../helpers/leftovers.js';
import { connectTemporal, testKeyString } from '../helpers/temporal.js';

/**
 * `npm start` and `npm run worker` through npm itself, signalled the way supervisors and terminals do it: SIGTERM
 * to npm's pid alone (`kill <pid>`, systemd, a process manager), SIGINT to the whole process group (Ctrl-C). A clean
 * stop exits 0, with every process gone and every port free; so does a stop asked for twice within a second.
 */
describe('npm scripts under signals', () => {
  const runs: Array<{ npm: EntryProcess; dataDir: string }> = [];
  after(async () => {
    for (const { npm, dataDir } of runs) {
      await killLeftovers(npm.child.pid, dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  interface Started {
    npm: EntryProcess;
    pgid: number;
    dataDir: string;
    ports: Record<'PORT' | 'TEMPORAL_DEV_PORT' | 'TEMPORAL_UI_PORT' | 'LEADSYNC_SANDBOX_PORT', number>;
    devServerPid: number;
  }

  async function npmStart(env: Record<string, string> = {}): Promise<Started> {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-signals-'));
    const ports = {
      PORT: await freePort(),
      TEMPORAL_DEV_PORT: await freePort(),
      TEMPORAL_UI_PORT: await freePort(),
      LEADSYNC_SANDBOX_PORT: await freePort(),
    };
    const npm = spawnNpmScript('start', {
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      LEADSYNC_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    });
    runs.push({ npm, dataDir });
    await eventually(() => npm.child.exitCode === null && npm.output().includes('HubSpot Lead Sync is running'), {
      timeoutMs: 120_000,
      what: 'the start banner',
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- output ---\n${npm.output()}`);
    });
    const health = await got(`http://127.0.0.1:${ports.PORT}/healthz`, { throwHttpErrors: false, retry: { limit: 0 } });
    assert.equal(health.statusCode, 200, health.body);
    assert.deepEqual(await portsInUse(Object.values(ports)), Object.values(ports), 'the service holds every port');
    const devServerPid = Number((await readFile(path.join(dataDir, 'temporal-dev-server.pid'), 'utf8')).trim());
    assert.ok(
      (await processesHolding(dataDir)).some((p) => p.pid === devServerPid),
      'the dev server runs',
    );
    return { npm, pgid: npm.child.pid!, dataDir, ports, devServerPid };
  }

  async function assertNothingLeft(run: Pick<Started, 'pgid' | 'dataDir'> & { ports: number[] }): Promise<void> {
    await eventually(async () => !groupAlive(run.pgid) && (await processesHolding(run.dataDir)).length === 0, {
      timeoutMs: 20_000,
      what: 'every process of the run to end',
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}; left: ${JSON.stringify(await processesHolding(run.dataDir))}`);
    });
    assert.deepEqual(await portsInUse(run.ports), [], 'every port is free again');
  }

  it('SIGTERM to the npm process alone: npm exits 0, and no process or port is left', async () => {
    const run = await npmStart();
    process.kill(run.pgid, 'SIGTERM');
    const exit = await run.npm.exited;
    assert.deepEqual([exit.code, exit.signal], [0, null], run.npm.output());
    await assertNothingLeft({ ...run, ports: Object.values(run.ports) });
  });

  it('SIGINT to the whole process group (Ctrl-C, which npm forwards a second time): exit 0, nothing left', async () => {
    const run = await npmStart();
    process.kill(-run.pgid, 'SIGINT');
    const exit = await run.npm.exited;
    assert.deepEqual([exit.code, exit.signal], [0, null], run.npm.output());
    await assertNothingLeft({ ...run, ports: Object.values(run.ports) });
  });

  it('a second signal a second later forces the exit while a write holds the clean stop; the dev server goes too', async () => {
    const run = await npmStart({ LEADSYNC_SHUTDOWN_GRACE_MS: '60000', LOG_LEVEL: 'info' });
    const slow = await got.post(`http://127.0.0.1:${run.ports.LEADSYNC_SANDBOX_PORT}/_sandbox/faults`, {
      json: { latencyMs: 60_000 },
    });
    assert.equal(slow.statusCode, 200);
    const lead = await got
      .post(`http://127.0.0.1:${run.ports.PORT}/v1/leads`, { json: { email: 'held@example.com' } })
      .json<{ workflowId: string }>();
    const connection = await Connection.connect({ address: `127.0.0.1:${run.ports.TEMPORAL_DEV_PORT}` });
    try {
      // The raw answer: the SDK's describe() would decode the memo, which only the service's key can.
      const describe = () =>
        connection.workflowService.describeWorkflowExecution({
          namespace: 'default',
          execution: { workflowId: lead.workflowId },
        });
      await eventually(
        async () =>
          (await describe()).pendingActivities?.some(
            (a) => a.state === proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
          ),
        { what: 'the write to HubSpot to be in flight' },
      );
    } finally {
      await connection.close();
    }

    process.kill(run.pgid, 'SIGTERM');
    await eventually(() => run.npm.output().includes('shutting down'), { what: 'the clean stop to begin' });
    const firstAt = Date.now();
    // The policy itself is about time: an earlier copy of the signal would count as the same request.
    await eventually(() => Date.now() - firstAt >= REPEAT_AFTER_MS, { what: 'the repeat window to pass' });
    assert.equal(run.npm.child.exitCode, null, 'the clean stop still waits for the write');
    process.kill(run.pgid, 'SIGTERM');
    const exit = await run.npm.exited;
    assert.equal(exit.code, signalExitCode('SIGTERM'), run.npm.output());
    assert.match(run.npm.output(), /second signal: exiting without waiting/);
    await assertNothingLeft({ ...run, ports: Object.values(run.ports) });
  });

  it('SIGKILL to the node process: the embedded dev server does not outlive it', async () => {
    const run = await npmStart();
    const node = (await processesHolding(run.dataDir)).find((p) => p.command.includes('src/main.ts'));
    assert.ok(node, 'the node process of npm start');
    process.kill(node.pid, 'SIGKILL');
    await run.npm.exited;
    await assertNothingLeft({ ...run, ports: Object.values(run.ports) });
  });

  it('npm run worker: SIGINT to the group drains the worker and exits 0, nothing left', async () => {
    const { env, close } = await connectTemporal();
    const sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e9) });
    try {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-signals-worker-'));
      const npm = spawnNpmScript('worker', {
        ...oauthWorkerEnv({
          temporalAddress: env.address,
          taskQueue: `signals-${randomUUID()}`,
          sandbox,
          encryptionKey: testKeyString,
        }),
        LEADSYNC_DATA_DIR: dataDir,
      });
      runs.push({ npm, dataDir });
      await eventually(() => npm.output().includes('worker polling'), {
        timeoutMs: 60_000,
        what: 'the worker to poll',
      });
      process.kill(-npm.child.pid!, 'SIGINT');
      const exit = await npm.exited;
      assert.deepEqual([exit.code, exit.signal], [0, null], npm.output());
      assert.match(npm.output(), /"state":"STOPPED"/, 'the worker drained and stopped');
      await assertNothingLeft({ pgid: npm.child.pid!, dataDir, ports: [] });
    } finally {
      await sandbox.close();
      await close();
    }
  });
});
