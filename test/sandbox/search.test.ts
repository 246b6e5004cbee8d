import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { validateExchange } from '../fidelity/helpers/exchange-validator.js';
import { formatProblem, loadSpecs, requireSpecDir, type Specs } from '../fidelity/helpers/openapi.js';
import { call, CONTACTS_2026, CONTACTS_V3, open } from './helpers.js';
import type { Contact } from './wire-types.js';

interface SearchAnswer {
  total: number;
  results: Contact[];
  paging?: { next: { after: string } };
}

type Sort = string | { propertyName: string; direction?: 'ASCENDING' | 'DESCENDING' };

interface SearchBody {
  filterGroups?: Array<{ filters: Array<Record<string, string>> }>;
  sorts?: Sort[];
  limit?: number;
  after?: string;
}

/** Resolves once the clock has passed `instant`, so the next write gets a later timestamp. */
async function pastMillisecond(instant: string): Promise<void> {
  while (Date.now() <= Date.parse(instant)) await new Promise((resolve) => setImmediate(resolve));
}

void describe('sandbox contact search', () => {
  let sandbox: Sandbox;
  let specs: Specs;
  before(async () => {
    specs = loadSpecs(requireSpecDir());
    sandbox = await open({ searchRateLimit: false });
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  /** A request in the spec's shape (every field it marks as required), for the date-based path by default. */
  const search = async (body: SearchBody, base: string = CONTACTS_2026) => {
    const answer = await call<SearchAnswer>(sandbox, 'POST', `${base}/search`, {
      token: sandbox.staticToken,
      json: {
        filterGroups: body.filterGroups ?? [],
        properties: ['email', 'lastmodifieddate'],
        sorts: body.sorts ?? [],
        limit: body.limit ?? 10,
        after: body.after ?? '0',
      },
    });
    return answer;
  };
  const emails = (answer: { body: SearchAnswer }) => answer.body.results.map((c) => c.properties.email);
  const filtered = (propertyName: string, operator: string, value: string, highValue?: string) =>
    search({
      filterGroups: [{ filters: [{ propertyName, operator, value, ...(highValue ? { highValue } : {}) }] }],
      sorts: ['hs_object_id'],
    });

  /** Contacts made one after another, each with a later lastmodifieddate than the one before. */
  const makeContacts = async (names: string[]): Promise<Contact[]> => {
    const made: Contact[] = [];
    for (const name of names) {
      const answer = await call<Contact>(sandbox, 'POST', CONTACTS_2026, {
        token: sandbox.staticToken,
        json: { properties: { email: `${name.toLowerCase()}@example.com`, firstname: name } },
      });
      assert.equal(answer.statusCode, 201);
      made.push(answer.body);
      await pastMillisecond(String(answer.body.properties.lastmodifieddate));
    }
    return made;
  };

  const assertSpecShaped = () => {
    const exchanges = sandbox.exchanges.filter((exchange) => exchange.route === 'contacts.search');
    assert.ok(exchanges.length > 0);
    const problems = exchanges.flatMap((exchange) => validateExchange(specs, exchange).problems.map(formatProblem));
    assert.deepEqual(problems, []);
  };

  void it('compares lastmodifieddate with epoch milliseconds for GT, GTE, LT, LTE, EQ and BETWEEN', async () => {
    const [a, b] = await makeContacts(['Ann', 'Ben', 'Cat']);
    const msOf = (contact: Contact | undefined) => String(Date.parse(String(contact?.properties.lastmodifieddate)));
    const [ta, tb] = [msOf(a), msOf(b)];

    assert.deepEqual(emails(await filtered('lastmodifieddate', 'GTE', tb)), ['ben@example.com', 'cat@example.com']);
    assert.deepEqual(emails(await filtered('lastmodifieddate', 'GT', tb)), ['cat@example.com']);
    assert.deepEqual(emails(await filtered('lastmodifieddate', 'LT', tb)), ['ann@example.com']);
    assert.deepEqual(emails(await filtered('lastmodifieddate', 'LTE', tb)), ['ann@example.com', 'ben@example.com']);
    assert.deepEqual(emails(await filtered('lastmodifieddate', 'EQ', tb)), ['ben@example.com']);
    assert.deepEqual(emails(await filtered('lastmodifieddate', 'BETWEEN', ta, tb)), [
      'ann@example.com',
      'ben@example.com',
    ]);
    assert.deepEqual(emails(await filtered('createdate', 'LT', tb)), ['ann@example.com']);
    // ISO 8601 values keep working next to milliseconds.
    const iso = new Date(Number(tb)).toISOString();
    assert.deepEqual(emails(await filtered('lastmodifieddate', 'GTE', iso)), ['ben@example.com', 'cat@example.com']);
    assertSpecShaped();
  });

  void it('finds a contact again by GTE on lastmodifieddate after it is written', async () => {
    const [a] = await makeContacts(['Ann', 'Ben']);
    const cursor = String(Date.now());
    const patched = await call<Contact>(sandbox, 'PATCH', `${CONTACTS_V3}/${a?.id}`, {
      token: sandbox.staticToken,
      json: { properties: { city: 'Leeds' } },
    });
    assert.equal(patched.statusCode, 200);
    const since = await search(
      { filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: cursor }] }] },
      CONTACTS_V3,
    );
    assert.deepEqual(emails(since), ['ann@example.com']);
    assert.equal(since.body.results[0]?.properties.lastmodifieddate, patched.body.properties.lastmodifieddate);
  });

  void it('compares hs_object_id as a number, not as text', async () => {
    const [a, b] = await makeContacts(['Ann', 'Ben', 'Cat']);
    // As text, "1051" sorts before "999".
    assert.equal((await filtered('hs_object_id', 'GT', '999')).body.total, 3);
    assert.deepEqual(emails(await filtered('hs_object_id', 'LT', String(b?.id))), ['ann@example.com']);
    assert.deepEqual(emails(await filtered('hs_object_id', 'EQ', String(a?.id))), ['ann@example.com']);
  });

  void it('sorts by the string form and by {propertyName, direction}', async () => {
    await makeContacts(['Cy', 'Al', 'Bo']);
    assert.deepEqual(emails(await search({ sorts: ['firstname'] })), [
      'al@example.com',
      'bo@example.com',
      'cy@example.com',
    ]);
    assert.deepEqual(emails(await search({ sorts: ['-lastmodifieddate'] })), [
      'bo@example.com',
      'al@example.com',
      'cy@example.com',
    ]);
    assertSpecShaped();
    assert.deepEqual(emails(await search({ sorts: [{ propertyName: 'lastmodifieddate', direction: 'DESCENDING' }] })), [
      'bo@example.com',
      'al@example.com',
      'cy@example.com',
    ]);
    assert.deepEqual(emails(await search({ sorts: [{ propertyName: 'hs_object_id' }] })), [
      'cy@example.com',
      'al@example.com',
      'bo@example.com',
    ]);
  });

  void it('pages with after and limit, up to 200 per page', async () => {
    await makeContacts(['P1', 'P2', 'P3', 'P4', 'P5']);
    const seen: string[] = [];
    let after: string | undefined = '0';
    let pages = 0;
    while (after !== undefined) {
      const page = await search({ sorts: ['hs_object_id'], limit: 2, after });
      assert.equal(page.statusCode, 200);
      assert.equal(page.body.total, 5);
      seen.push(...emails(page).map(String));
      after = page.body.paging?.next.after;
      pages += 1;
    }
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      ['p1', 'p2', 'p3', 'p4', 'p5'].map((name) => `${name}@example.com`),
    );

    assert.equal((await search({ limit: 200 })).body.results.length, 5);
    assert.equal((await search({ limit: 201 })).statusCode, 400);
    assertSpecShaped();
  });
});
