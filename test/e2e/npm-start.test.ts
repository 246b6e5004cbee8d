import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import { eventually } from '../helpers/service.js';
import { freePort } from '../helpers/net.js';
import { spawnEntry, type EntryProcess } from '../helpers/entry-process.js';

describe('npm start on embedded defaults', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let running: EntryProcess | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-start-'));
    env = {
      PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      LEADSYNC_SANDBOX_PORT: String(await freePort()),
      LEADSYNC_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    };
  });
  after(async () => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const api = () =>
    got.extend({
      prefixUrl: `http://127.0.0.1:${env.PORT}`,
      throwHttpErrors: false,
      responseType: 'json',
      retry: { limit: 0 },
    });

  const waitForBanner = (s: EntryProcess) =>
    eventually(
      () => Promise.resolve(s.child.exitCode === null && s.output().includes('HubSpot Lead Sync is running')),
      {
        timeoutMs: 120_000,
        what: 'the start banner',
      },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- output ---\n${s.output()}`);
    });

  it('prints the UI URL, answers /healthz with Temporal reachable, and exits 0 within 10 s of SIGTERM', async () => {
    running = spawnEntry('src/main.ts', env);
    await waitForBanner(running);
    assert.match(running.output(), new RegExp(`Temporal UI\\s+http://localhost:${env.TEMPORAL_UI_PORT}`));
    assert.match(running.output(), /SANDBOX/);
    const health = await api().get<{ status: string; temporal: { reachable: boolean } }>('healthz');
    assert.equal(health.statusCode, 200);
    assert.equal(health.body.temporal.reachable, true);

    const lead = await api().post('v1/leads', {
      json: { email: 'persist@example.com', properties: { firstname: 'Persist' } },
    });
    assert.equal(lead.statusCode, 202);
    await eventually(
      async () => (await api().get<{ hubspotId?: string }>('v1/leads/persist@example.com')).body.hubspotId,
      { what: 'the lead to sync' },
    );

    const devServerPid = Number((await readFile(path.join(dataDir, 'temporal-dev-server.pid'), 'utf8')).trim());
    const sentAt = Date.now();
    running.child.kill('SIGTERM');
    const { code, at } = await running.exited;
    assert.equal(code, 0, running.output());
    assert.ok(at - sentAt < 10_000, `took ${at - sentAt} ms to stop`);
    assert.throws(() => process.kill(devServerPid, 0), 'the dev server is gone after shutdown');
  });

  it('a second start sees the workflows of the first', async () => {
    running = spawnEntry('src/main.ts', env);
    await waitForBanner(running);
    const lead = await api().get<{ email: string; hubspotId?: string; properties: Record<string, string> }>(
      'v1/leads/persist@example.com',
    );
    assert.equal(lead.statusCode, 200);
    assert.equal(lead.body.email, 'persist@example.com');
    assert.equal(lead.body.properties.firstname, 'Persist');
    running.child.kill('SIGINT');
    assert.equal((await running.exited).code, 0, running.output());
  });
});
