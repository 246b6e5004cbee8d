import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { eventually } from '../helpers/service.js';
import { call, CONTACTS_2026 } from './helpers.js';
import type { Batch, Contact, OAuthError, Tokens } from './wire-types.js';
import { WebhookReceiver } from './webhook-receiver.js';

const PROPERTIES = '/crm/properties/2026-03/contacts';
const MARKETING = 91_370_001;

const favouriteFood = {
  name: 'favourite_food',
  label: 'Favourite food',
  type: 'string',
  fieldType: 'text',
  groupName: 'contactinformation',
};

async function refreshGrant<T = Tokens>(sandbox: Sandbox, refreshToken: string) {
  return call<T>(sandbox, 'POST', '/oauth/2026-03/token', {
    form: {
      grant_type: 'refresh_token',
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      refresh_token: refreshToken,
    },
  });
}

/** Runs `use` against a sandbox kept in `stateFile`, and closes it whatever happens. */
async function withSandbox<T>(stateFile: string, use: (sandbox: Sandbox) => T | Promise<T>, extra = {}): Promise<T> {
  const sandbox = await startSandbox({ stateFile, ...extra });
  try {
    return await use(sandbox);
  } finally {
    await sandbox.close();
  }
}

void describe('sandbox state file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sandbox-state-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('keeps contacts, subscriptions, GDPR deletions, tokens and custom properties across a restart', async () => {
    const file = path.join(dir, 'portal.json');
    const first = await withSandbox(file, async (sandbox) => {
      const token = sandbox.staticToken;
      assert.equal((await call(sandbox, 'POST', PROPERTIES, { token, json: favouriteFood })).statusCode, 201);
      const upsert = await call<Batch>(sandbox, 'POST', `${CONTACTS_2026}/batch/upsert`, {
        token,
        json: {
          inputs: ['ada', 'bob', 'carol'].map((name) => ({
            id: `${name}@example.com`,
            idProperty: 'email',
            properties: { firstname: name, favourite_food: `${name}'s soup` },
          })),
        },
      });
      assert.equal(upsert.statusCode, 200);
      const carol = upsert.body.results.find((contact) => contact.properties.email === 'carol@example.com');
      assert.ok(carol);
      assert.equal((await call(sandbox, 'DELETE', `${CONTACTS_2026}/${carol.id}`, { token })).statusCode, 204);
      const unsubscribed = await call(sandbox, 'POST', '/communication-preferences/v3/unsubscribe', {
        token,
        json: { emailAddress: 'ada@example.com', subscriptionId: String(MARKETING) },
      });
      assert.equal(unsubscribed.statusCode, 200);
      for (const objectId of ['bob@example.com', 'nobody@example.com']) {
        const deleted = await call(sandbox, 'POST', `${CONTACTS_2026}/gdpr-delete`, {
          token,
          json: { objectId, idProperty: 'email' },
        });
        assert.equal(deleted.statusCode, 204);
      }
      const refreshToken = sandbox.issueRefreshToken();
      const grant = await refreshGrant(sandbox, refreshToken);
      assert.equal(grant.statusCode, 200);
      const revoked = sandbox.issueRefreshToken();
      const revoke = await call(sandbox, 'POST', '/oauth/2026-03/token/revoke', {
        form: { token: revoked, client_id: sandbox.clientId, client_secret: sandbox.clientSecret },
      });
      assert.equal(revoke.statusCode, 200);
      sandbox.faults.set({ errorRate: 0.5 });
      assert.ok(sandbox.counters().writesApplied > 0);
      return {
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        staticToken: sandbox.staticToken,
        contacts: sandbox.contacts.all(),
        ada: sandbox.subscriptionStatus('ada@example.com'),
        deletedEmails: sandbox.deletedEmails(),
        refreshToken,
        revoked,
        accessToken: grant.body.access_token,
      };
    });

    assert.equal((await stat(file)).mode & 0o777, 0o600, 'only the owner may read the tokens in the file');

    await withSandbox(file, async (sandbox) => {
      assert.equal(sandbox.clientId, first.clientId);
      assert.equal(sandbox.clientSecret, first.clientSecret);
      assert.equal(sandbox.staticToken, first.staticToken);
      const counters = sandbox.counters();
      assert.deepEqual(counters.requestsByRoute, {}, 'counters start at zero');
      assert.equal(counters.writesApplied, 0);
      assert.equal(sandbox.exchanges.length, 0);
      const admin = await call<{ faults: { settings: { errorRate: number } } }>(sandbox, 'GET', '/_sandbox/state');
      assert.equal(admin.body.faults.settings.errorRate, 0, 'faults are not kept');

      assert.deepEqual(sandbox.contacts.all(), first.contacts);
      assert.equal(sandbox.contacts.byEmail('carol@example.com'), undefined, 'the archived contact stays archived');
      assert.deepEqual(sandbox.subscriptionStatus('ada@example.com'), first.ada);
      assert.equal(first.ada.statuses[MARKETING], 'UNSUBSCRIBED');
      assert.deepEqual(sandbox.deletedEmails(), first.deletedEmails);
      assert.deepEqual(first.deletedEmails.sort(), ['bob@example.com', 'nobody@example.com']);

      const token = sandbox.staticToken;
      const blocked = await call(sandbox, 'POST', CONTACTS_2026, {
        token,
        json: { properties: { email: 'nobody@example.com' } },
      });
      assert.equal(blocked.statusCode, 400, 'the GDPR blocklist is kept');
      assert.match(blocked.body.message, /blocklisted/);

      const oldAccess = await call(sandbox, 'GET', CONTACTS_2026, { token: first.accessToken });
      assert.equal(oldAccess.statusCode, 200, 'an access token from before the restart still works');
      assert.equal((await refreshGrant(sandbox, first.refreshToken)).statusCode, 200);
      const dead = await refreshGrant<OAuthError>(sandbox, first.revoked);
      assert.equal(dead.statusCode, 400);
      assert.equal(dead.body.status, 'BAD_REFRESH_TOKEN', 'a revoked refresh token stays revoked');

      const ada = sandbox.contacts.byEmail('ada@example.com');
      assert.ok(ada);
      const patched = await call<Contact>(sandbox, 'PATCH', `${CONTACTS_2026}/${ada.id}`, {
        token,
        json: { properties: { favourite_food: 'bread' } },
      });
      assert.equal(patched.statusCode, 200, 'the custom property is still writable');
      const created = await call<Contact>(sandbox, 'POST', CONTACTS_2026, {
        token,
        json: { properties: { email: 'dan@example.com' } },
      });
      assert.equal(created.statusCode, 201);
      const highest = Math.max(...first.contacts.map((contact) => Number(contact.id)));
      assert.ok(Number(created.body.id) > highest, `new id ${created.body.id} follows the kept ones (${highest})`);
    });
  });

  void it('writes changes within the save interval, not only on close', async () => {
    const file = path.join(dir, 'running.json');
    await withSandbox(file, async (sandbox) => {
      const created = await call<Contact>(sandbox, 'POST', CONTACTS_2026, {
        token: sandbox.staticToken,
        json: { properties: { email: 'live@example.com' } },
      });
      assert.equal(created.statusCode, 201);
      const text = await eventually(
        async () => {
          const current = await readFile(file, 'utf8');
          return current.includes('live@example.com') && current;
        },
        { timeoutMs: 5000, what: 'the state file to show the contact while the sandbox runs' },
      );
      assert.doesNotThrow(() => JSON.parse(text), 'the file is whole whenever it is read');
    });
  });

  void it('goes on numbering webhook events after a restart', async () => {
    const file = path.join(dir, 'webhooks.json');
    const receiver = await WebhookReceiver.start();
    try {
      const createAndCollect = (email: string) =>
        withSandbox(
          file,
          async (sandbox) => {
            const seen = receiver.requests.length;
            await call(sandbox, 'POST', CONTACTS_2026, { token: sandbox.staticToken, json: { properties: { email } } });
            await receiver.received(seen + 1);
            await sandbox.webhooks.idle();
            return receiver.requests.slice(seen).flatMap((request) => request.events.map((event) => event.eventId));
          },
          { webhooks: { targetUrl: receiver.url, batchWindowMs: 10 } },
        );
      const before = await createAndCollect('first@example.com');
      const afterRestart = await createAndCollect('second@example.com');
      assert.ok(before.length > 0 && afterRestart.length > 0);
      assert.ok(
        Math.min(...afterRestart) > Math.max(...before),
        `event ids ${afterRestart.join(',')} follow ${before.join(',')}`,
      );
    } finally {
      await receiver.close();
    }
  });

  void it('starts empty without a file, creates it at once, and lets options override its credentials', async () => {
    const file = path.join(dir, 'nested', 'fresh.json');
    const generated = await withSandbox(file, async (sandbox) => {
      assert.deepEqual(sandbox.contacts.all(), []);
      const saved = JSON.parse(await readFile(file, 'utf8')) as { credentials: { clientId: string } };
      assert.equal(saved.credentials.clientId, sandbox.clientId, 'written before the first request');
      return sandbox.clientId;
    });
    const overridden = await withSandbox(file, (sandbox) => sandbox.clientId, { clientId: 'explicit-client' });
    assert.notEqual(generated, 'explicit-client');
    assert.equal(overridden, 'explicit-client');
    assert.equal(await withSandbox(file, (sandbox) => sandbox.clientId), 'explicit-client');
  });

  void it('reset empties what the file keeps', async () => {
    const file = path.join(dir, 'reset.json');
    await withSandbox(file, async (sandbox) => {
      const token = sandbox.staticToken;
      await call(sandbox, 'POST', PROPERTIES, { token, json: favouriteFood });
      await call(sandbox, 'POST', CONTACTS_2026, { token, json: { properties: { email: 'gone@example.com' } } });
      sandbox.reset();
    });
    await withSandbox(file, async (sandbox) => {
      assert.deepEqual(sandbox.contacts.all(), []);
      const property = await call(sandbox, 'GET', `${PROPERTIES}/favourite_food`, { token: sandbox.staticToken });
      assert.equal(property.statusCode, 404);
    });
  });

  void it('refuses to start on a corrupt file, naming it and quoting none of it', async () => {
    const secret = 'pat-na1-do-not-print-me';
    const cases: Array<[string, string, RegExp]> = [
      ['truncated.json', `{"version":1,"credentials":{"clientSecret":"${secret}`, /is not valid JSON/],
      [
        'wrong-shape.json',
        JSON.stringify({ version: 1, credentials: { clientSecret: secret } }),
        /credentials\.clientId/,
      ],
      ['future.json', JSON.stringify({ version: 2 }), /version/],
    ];
    for (const [name, text, problem] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, text);
      await assert.rejects(startSandbox({ stateFile: file }), (error: Error) => {
        assert.ok(error.message.includes(file), `names the file: ${error.message}`);
        assert.match(error.message, problem);
        assert.equal(error.message.includes(secret), false, 'never quotes the file');
        return true;
      });
      assert.equal(await readFile(file, 'utf8'), text, 'a file it cannot read is left as it was');
    }
  });

  void it('refuses to start on a path it cannot use, naming it', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const file = path.join(blocker, 'state.json');
    await assert.rejects(startSandbox({ stateFile: file }), (error: Error) => {
      assert.equal(error.message, `sandbox state file ${file} cannot be read (ENOTDIR)`);
      return true;
    });
  });
});
