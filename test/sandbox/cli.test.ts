import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import got from 'got';

const CLI = fileURLToPath(new URL('../../src/sandbox/cli.ts', import.meta.url));

void describe('sandbox CLI', () => {
  void it('prints one JSON line with credentials that work, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        '--port',
        '0',
        '--client-id',
        'cli-client',
        '--access-token-ttl',
        '60',
        '--log-level',
        'silent',
      ],
      { env: { ...process.env, SANDBOX_CLIENT_SECRET: 'cli-secret' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(child, 'exit');
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      const info = JSON.parse(first) as Record<string, unknown>;
      assert.deepEqual(Object.keys(info).sort(), [
        'baseUrl',
        'clientId',
        'clientSecret',
        'portalId',
        'refreshToken',
        'staticToken',
      ]);
      assert.match(String(info.baseUrl), /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(info.clientId, 'cli-client');
      assert.equal(info.clientSecret, 'cli-secret');
      assert.equal(info.portalId, 62515);

      const tokens = await got
        .post(`${String(info.baseUrl)}/oauth/v1/token`, {
          form: {
            grant_type: 'refresh_token',
            client_id: 'cli-client',
            client_secret: 'cli-secret',
            refresh_token: String(info.refreshToken),
          },
        })
        .json<{ expires_in: number }>();
      assert.equal(tokens.expires_in, 60);
      const contacts = await got(`${String(info.baseUrl)}/crm/objects/2026-03/contacts`, {
        headers: { authorization: `Bearer ${String(info.staticToken)}` },
      });
      assert.equal(contacts.statusCode, 200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, null);
    assert.equal(code, 0);
  });
});
