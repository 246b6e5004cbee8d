import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import { projectRoot } from '../../src/project-paths.js';
import { eventually } from '../helpers/service.js';

interface StartLine {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  staticToken: string;
}

/**
 * `npm run --silent sandbox` as the README shows it, with the default log level: the JSON line must be the only
 * thing on stdout. The sandbox runs in its own process group, so that stopping it reaches the node process behind
 * npm, sh and tsx (npm passes a SIGTERM to the shell, which does not pass it on).
 */
async function runSandbox(stateFile: string): Promise<StartLine> {
  const child = spawn('npm', ['run', '--silent', 'sandbox', '--', '--port', '0', '--state-file', stateFile], {
    cwd: projectRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = once(child, 'exit');
  const pid = child.pid;
  assert.ok(pid !== undefined, 'npm started');
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  let info: StartLine | undefined;
  try {
    await eventually(() => stdout.includes('\n') || child.exitCode !== null, {
      timeoutMs: 60_000,
      what: 'the first line on stdout',
    });
    const first = stdout.split('\n')[0] ?? '';
    info = JSON.parse(first) as StartLine;
    const contacts = await got(`${info.baseUrl}/crm/objects/2026-03/contacts`, {
      headers: { authorization: `Bearer ${info.staticToken}` },
      retry: { limit: 0 },
    });
    assert.equal(contacts.statusCode, 200, 'the printed token works');
  } finally {
    if (child.exitCode === null) process.kill(-pid, 'SIGTERM');
    await exited;
  }
  assert.deepEqual(
    stdout.split('\n').filter((line) => line !== ''),
    [JSON.stringify(info)],
    'nothing but the JSON line on stdout',
  );
  const { baseUrl } = info;
  await eventually(
    () =>
      got(baseUrl, { retry: { limit: 0 }, timeout: { request: 1000 } }).then(
        () => false,
        (error: { code?: string }) => error.code === 'ECONNREFUSED',
      ),
    { what: 'the sandbox behind npm to stop' },
  );
  return info;
}

void describe('npm run sandbox', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sandbox-npm-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('prints only its JSON line on stdout, and a second start from the same --state-file has the same credentials', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await runSandbox(stateFile);
    assert.ok((await stat(stateFile)).isFile(), 'the state file was written');
    const second = await runSandbox(stateFile);
    assert.equal(second.clientId, first.clientId);
    assert.equal(second.clientSecret, first.clientSecret);
    assert.equal(second.staticToken, first.staticToken);
    assert.notEqual(second.refreshToken, first.refreshToken, 'each start hands out a refresh token of its own');
  });
});
