import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LeadSyncClient } from '../../src/client/lead-sync-client.js';
import { redactTokenShapes } from '../../src/hubspot/redact.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { reauthorizeConnection } from '../../src/service/connection.js';
import { createLogger, temporalLogger } from '../../src/service/logger.js';
import { oauthWorkerEnv, spawnEntry } from '../helpers/entry-process.js';
import { eventually } from '../helpers/service.js';
import { connectTemporal, testKeyString } from '../helpers/temporal.js';

type LogLine = Record<string, unknown>;

function capturedLogger(level: string) {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger(level, sink), lines: () => parseLines(text) };
}

const parseLines = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

const accessToken = () => `C${randomBytes(120).toString('base64url')}`;
const refreshToken = () => `na1-${randomUUID()}`;

describe('log lines carry no credentials and no task tokens', () => {
  it('masks secret fields at any depth, and token-shaped text in fields, messages and errors', () => {
    const { logger, lines } = capturedLogger('info');
    const [access, refresh, other] = [accessToken(), refreshToken(), accessToken()];
    logger.info({ grant: { tokens: [{ accessToken: 'short-but-secret', expiresAt: 5 }] }, portalId: '62515' }, 'grant');
    logger.warn({ reason: `HubSpot refused ${refresh}` }, `refresh failed for ${access}`);
    logger.error(new Error(`401 for Bearer ${other}`), 'call failed');
    const [grant, warn, error] = lines();
    assert.deepEqual(grant!.grant, { tokens: [{ accessToken: '[redacted]', expiresAt: 5 }] });
    assert.equal(grant!.portalId, '62515', 'the rest stays');
    assert.equal(warn!.reason, 'HubSpot refused [redacted]');
    assert.equal(warn!.msg, 'refresh failed for [redacted]');
    assert.equal((error!.err as { message: string }).message, '401 for Bearer [redacted]');
    const all = JSON.stringify(lines());
    for (const secret of [access, refresh, other, 'short-but-secret']) assert.ok(!all.includes(secret));
  });

  it("drops the SDK's task token from activity lines, at every level", () => {
    const { logger, lines } = capturedLogger('debug');
    const sdk = temporalLogger(logger, 'DEBUG');
    const attributes = { activityId: '1', activityType: 'upsertContact', taskToken: 'CiQ3ZmM0YjQ1Ni1hY3Rpdml0eQ==' };
    sdk.info('contact upserted', attributes);
    sdk.warn('Activity failed', attributes);
    sdk.debug('Activity completed', attributes);
    assert.equal(lines().length, 3);
    for (const line of lines()) {
      assert.equal(line.activityType, 'upsertContact');
      assert.equal('taskToken' in line, false, String(line.msg));
    }
  });
});

describe('a real worker process at LOG_LEVEL=info', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;
  let worker: ChildProcess | undefined;

  before(async () => {
    ({ env, close } = await connectTemporal());
    sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e9) + 1000, rateLimit: false });
  });
  after(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await sandbox?.close();
    await close?.();
  });

  it('logs its activities, failed and succeeded, without a task token or an OAuth token', async () => {
    const taskQueue = `log-redaction-${randomUUID()}`;
    const process = spawnEntry(
      'src/worker.ts',
      oauthWorkerEnv({ temporalAddress: env.address, taskQueue, sandbox, encryptionKey: testKeyString }),
    );
    worker = process.child;
    await eventually(() => process.output().includes('worker polling'), { timeoutMs: 90_000, what: 'the worker' });
    const portalId = String(sandbox.portalId);
    const connectedWith = sandbox.issueRefreshToken();
    await reauthorizeConnection(
      { client: env.client, taskQueue, portalId, mode: 'oauth' },
      { refreshToken: connectedWith },
    );
    // One 500 first, so the SDK logs a failed attempt (a warning with the activity's attributes) before the success.
    sandbox.faults.failNext({ route: 'contacts.batchUpsert', status: 500, count: 1 });
    const email = `log-${Date.now()}@example.com`;
    await new LeadSyncClient({ client: env.client, portalId, taskQueue }).register({
      email,
      properties: { firstname: 'Logged' },
    });

    const lines = () => parseLines(process.output());
    const upserted = await eventually(() => lines().find((l) => l.msg === 'contact upserted'), {
      timeoutMs: 60_000,
      what: 'the activity to log its success',
    });
    assert.equal(upserted.level, 30, 'an info line');
    assert.equal(upserted.activityType, 'upsertContact', 'the SDK attached the activity attributes');
    assert.ok(upserted.activityId);
    const failed = lines().find((l) => l.msg === 'Activity failed' && l.activityType === 'upsertContact');
    assert.ok(failed, 'the failed attempt was logged');
    assert.deepEqual(
      lines().filter((l) => 'taskToken' in l),
      [],
    );
    assert.equal(process.output().includes('taskToken'), false);
    assert.equal(process.output().includes(connectedWith), false);
    const tokenShaped = process
      .output()
      .split('\n')
      .filter((l) => redactTokenShapes(l) !== l);
    assert.deepEqual(tokenShaped, []);
  });
});
