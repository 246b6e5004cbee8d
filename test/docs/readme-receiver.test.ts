import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import { createBackendWebhook } from '../../src/deliveries/backend-webhook.js';
import { projectRoot } from '../../src/project-paths.js';
import type { BackendDelivery } from '../../src/shared/delivery-types.js';
import { freePort } from '../helpers/net.js';
import { eventually } from '../helpers/service.js';

const SECRET = 'readme-receiver-secret-0123456789';
const MARK = 'The test suite runs this very block';

/** The receiver the README shows, taken from the README itself so the two cannot drift apart. */
async function readmeReceiver(): Promise<string> {
  const readme = await readFile(path.join(projectRoot, 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf(MARK));
  const block = /```js\n([\s\S]*?)```/.exec(after)?.[1];
  assert.ok(block, 'README.md has the receiver block');
  return block.replace("from './src/client/index.js'", "from '../src/client/index.js'");
}

describe("the README's backend receiver, run as written", () => {
  const file = path.join(projectRoot, '.cache', `readme-receiver-${randomUUID()}.mjs`);
  let url: string;
  let output = '';
  let stop: () => void;

  before(async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await readmeReceiver());
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), LEADSYNC_BACKEND_WEBHOOK_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    stop = () => child.kill('SIGKILL');
    url = `http://127.0.0.1:${port}/leadsync/events`;
    await eventually(() => got.post(url, { throwHttpErrors: false, retry: { limit: 0 } }).then(() => true), {
      timeoutMs: 30_000,
      what: `the receiver to listen (${output})`,
    });
  });
  after(async () => {
    stop?.();
    await rm(file, { force: true });
  });

  const delivery: BackendDelivery = {
    id: 'hubspot:1:2:3:4:lead.unsubscribed',
    type: 'lead.unsubscribed',
    portalId: '62515',
    email: 'ada@example.com',
    hubspotId: '1051',
    changes: { hs_email_optout: 'true' },
    source: 'hubspot',
    occurredAt: '2026-12-01T10:00:00.000Z',
  };

  it('takes what the service delivers, signed, once per id', async () => {
    const backend = createBackendWebhook({ url, secret: SECRET });
    assert.equal((await backend.post(delivery)).status, 204);
    assert.equal((await backend.post(delivery)).status, 204);
    await eventually(() => output.includes('stop emailing ada@example.com'));
    assert.equal(output.split('stop emailing').length - 1, 1, 'the repeat was dropped by its id');
  });

  it('refuses a forged or tampered delivery with 401', async () => {
    await assert.rejects(createBackendWebhook({ url, secret: 'not-the-backend-secret!' }).post(delivery), {
      type: 'BackendRejected',
    });
    const res = await got.post(url, {
      body: JSON.stringify(delivery),
      headers: { 'content-type': 'application/json', 'leadsync-signature': `t=${Math.floor(Date.now() / 1000)},v1=00` },
      throwHttpErrors: false,
      retry: { limit: 0 },
    });
    assert.equal(res.statusCode, 401);
  });
});
