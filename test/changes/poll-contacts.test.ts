import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { modifiedAt, pollContacts } from '../../src/changes/poll-contacts.js';
import { createPortalSessions, type PortalSession } from '../../src/portals/portal-session.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { PollCursor } from '../../src/shared/change-types.js';
import { call, CONTACTS_2026 } from '../sandbox/helpers.js';

describe('polling contacts by lastmodifieddate on a durable cursor (real sandbox search)', () => {
  let sandbox: Sandbox;
  let portal: PortalSession;

  before(async () => {
    sandbox = await startSandbox({ rateLimit: false, searchRateLimit: false });
    // A static token never asks Temporal for anything: a lazy client opens no connection.
    portal = createPortalSessions({
      client: new Client(),
      baseUrl: sandbox.baseUrl,
      apiVersion: '2026-03',
      timeoutMs: 5_000,
      auth: { mode: 'static', token: sandbox.staticToken },
      rateLimit: 10_000,
    })(String(sandbox.portalId));
  });
  after(async () => sandbox?.close());

  /** One batch write: HubSpot gives every contact in it the same lastmodifieddate. */
  const writeBatch = async (emails: string[], properties: Record<string, string>) => {
    const res = await call<{ results: Array<{ id: string }> }>(sandbox, 'POST', `${CONTACTS_2026}/batch/upsert`, {
      token: sandbox.staticToken,
      json: { inputs: emails.map((id) => ({ id, idProperty: 'email', properties: { ...properties, email: id } })) },
    });
    assert.equal(res.statusCode, 200);
    return res.body.results.map((r) => r.id);
  };

  /** Polls until the search has nothing more, a few calls at a time, as the change feed does. */
  const drain = async (cursor: PollCursor, pageSize: number, maxCalls: number) => {
    const seen: string[] = [];
    let calls = 0;
    for (;;) {
      const page = await pollContacts(portal, {
        cursor,
        settleMs: 0,
        properties: ['firstname'],
        maxCalls,
        pageSize,
        now: Date.now() + 1,
      });
      seen.push(...page.contacts.map((c) => c.id));
      calls += page.searchCalls;
      cursor = page.cursor;
      if (!page.more) return { seen, cursor, calls };
    }
  };

  it('starts at "now" on the first poll without searching', async () => {
    await writeBatch(['old@example.com'], { firstname: 'Old' });
    const now = Date.now();
    const first = await pollContacts(portal, { settleMs: 5_000, properties: [], maxCalls: 5, now });
    assert.deepEqual(first, {
      contacts: [],
      cursor: { since: now - 5_000, drained: true },
      more: false,
      searchCalls: 0,
    });
  });

  it('sees every contact once when many share one timestamp, across pages and calls', async () => {
    const start: PollCursor = { since: Date.now() - 1 };
    const shared = await writeBatch(
      Array.from({ length: 7 }, (_, i) => `tie-${i}@example.com`),
      { firstname: 'Tie' },
    );
    const contacts = sandbox.contacts.all().filter((c) => shared.includes(c.id));
    assert.equal(new Set(contacts.map((c) => c.properties.lastmodifieddate)).size, 1, 'one timestamp for the batch');
    const later = await writeBatch(['later-1@example.com', 'later-2@example.com'], { firstname: 'Later' });

    // Pages of 2 and at most 2 searches per call: the 7 ties span pages and calls, and none is skipped or repeated.
    const { seen, cursor, calls } = await drain(start, 2, 2);
    assert.deepEqual([...seen].sort(), [...shared, ...later].sort());
    assert.equal(new Set(seen).size, seen.length, 'no contact reported twice');
    assert.ok(calls >= 5, `the ties were read apart, page by page (${calls} searches)`);

    // The cursor stands after the last one: polling again reports nothing until something changes.
    const quiet = await drain(cursor, 2, 2);
    assert.deepEqual(quiet.seen, []);
    assert.equal(quiet.calls, 1, 'a quiet poll costs one search');
    const [edited] = await writeBatch(['tie-3@example.com'], { firstname: 'Edited' });
    const again = await drain(cursor, 2, 2);
    assert.deepEqual(again.seen, [edited]);
  });

  it('leaves contacts modified in the settle window for a later poll', async () => {
    const cursor: PollCursor = { since: Date.now() - 1 };
    const [fresh] = await writeBatch(['fresh@example.com'], { firstname: 'Fresh' });
    const contact = sandbox.contacts.all().find((c) => c.id === fresh)!;
    const at = Date.parse(contact.properties.lastmodifieddate!);
    const early = await pollContacts(portal, { cursor, settleMs: 60_000, properties: [], maxCalls: 5, now: at + 1 });
    assert.deepEqual(early.contacts, []);
    const settled = await pollContacts(portal, {
      cursor,
      settleMs: 60_000,
      properties: [],
      maxCalls: 5,
      now: at + 60_000,
    });
    assert.deepEqual(
      settled.contacts.map((c) => c.id),
      [fresh],
    );
    assert.equal(modifiedAt(settled.contacts[0]!), at);
  });
});
