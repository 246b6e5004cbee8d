import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { columnMap, parseMapping } from '../../src/cli/import/column-map.js';
import { csvRows, type CsvRow } from '../../src/cli/import/csv-rows.js';
import { fileId } from '../../src/cli/import/file-id.js';
import { CliError, ExitCode } from '../../src/cli/exit-codes.js';

describe('reading an import file', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-csv-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, content: string | Buffer) => {
    const at = path.join(dir, name);
    await writeFile(at, content);
    return at;
  };
  const read = async (at: string, mapping: string[] = [], skipped: string[] = []) => {
    const rows: CsvRow[] = [];
    for await (const row of csvRows(at, { mapping: parseMapping(mapping), skipped: new Set(skipped), fileId: 'f1' }))
      rows.push(row);
    return rows;
  };

  it('reads quoted fields with commas, quotes and newlines, a BOM and CRLF, and numbers rows by their first line', async () => {
    const at = await file(
      'quoted.csv',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(
          'email,jobtitle,company\r\n' +
            'ada@example.com,"Engineer, ""senior""\r\nand poet",Engines\r\n' +
            '\r\n' +
            'GRACE@Example.com,Admiral,Navy\r\n',
        ),
      ]),
    );
    const rows = await read(at);
    assert.equal(rows.length, 2);
    const [ada, grace] = rows;
    assert.ok(ada?.ok && grace?.ok);
    assert.deepEqual(ada.lead, {
      email: 'ada@example.com',
      properties: { jobtitle: 'Engineer, "senior"\r\nand poet', company: 'Engines' },
      eventId: 'import:f1:1',
    });
    assert.deepEqual([ada.row, ada.line], [1, 2]);
    // After a two-line record and an empty line.
    assert.deepEqual([grace.row, grace.line], [2, 5]);
    assert.equal(grace.lead.email, 'grace@example.com');
    assert.equal(grace.lead.eventId, 'import:f1:2');
  });

  it('names the line and the column of a bad row, and keeps reading the rows after it', async () => {
    const at = await file(
      'bad.csv',
      'email,Job Title,lifecyclestage\n' +
        'not-an-email,Engineer,lead\n' +
        'short@example.com,Engineer\n' +
        `long@example.com,${'x'.repeat(70_000)},lead\n` +
        'good@example.com,,customer\n',
    );
    const rows = await read(at, ['Job Title=jobtitle']);
    assert.equal(rows.length, 4);
    const [badEmail, short, long, good] = rows;
    assert.ok(badEmail && !badEmail.ok);
    assert.deepEqual(badEmail.issues, [{ field: 'email', message: 'must be an email address' }]);
    assert.equal(badEmail.line, 2);
    assert.ok(short && !short.ok);
    assert.match(short.issues[0]!.message, /has 2 fields, the header has 3/);
    assert.equal(short.line, 3);
    assert.ok(long && !long.ok);
    assert.equal(long.issues[0]!.field, 'Job Title', 'the column as the file names it');
    assert.match(long.issues[0]!.message, /at most 65536/);
    assert.ok(good?.ok);
    assert.deepEqual(good.lead.properties, { lifecyclestage: 'customer' }, 'an empty cell is no value');
  });

  it('refuses a header it cannot import, naming every bad column, before any row', async () => {
    const at = await file('header.csv', 'E-Mail,First Name,hs_email_optout,firstname\nada@example.com,Ada,true,Ada\n');
    await assert.rejects(read(at, ['First Name=firstname']), (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.exitCode, ExitCode.usage);
      assert.match(err.message, /no email column/);
      assert.match(err.message, /columns "First Name" and "firstname" both fill firstname/);
      assert.match(err.message, /column "E-Mail": must be a HubSpot internal property name/);
      return true;
    });
    const optOut = await file('optout.csv', 'email,hs_email_optout\nada@example.com,true\n');
    await assert.rejects(read(optOut), /hs_email_optout/);
    const skipped = await read(at, ['E-Mail=email', 'First Name=firstname'], ['hs_email_optout', 'firstname']);
    assert.ok(skipped[0]?.ok);
    assert.deepEqual(skipped[0].lead.properties, { firstname: 'Ada' });
  });

  it('refuses --map and --skip of columns the header does not have, and a --map without =', () => {
    assert.throws(() => columnMap(['email'], parseMapping(['Phone=phone']), new Set(['Fax'])), /"Phone".*\n.*"Fax"/s);
    assert.throws(() => parseMapping(['phone']), /--map phone: expected COLUMN=PROPERTY/);
  });

  it('says which file is missing or empty, and where an unclosed quote starts', async () => {
    await assert.rejects(read(path.join(dir, 'nope.csv')), /cannot read .*nope\.csv/);
    await assert.rejects(read(await file('empty.csv', '')), /empty\.csv is empty/);
    await assert.rejects(
      read(await file('quote.csv', 'email,jobtitle\na@example.com,"never closed\n')),
      /quote\.csv: .*quote/i,
    );
  });

  it('derives the file id from the content: the same bytes give the same id, one changed byte another', async () => {
    const a = await fileId(await file('a.csv', 'email\nada@example.com\n'));
    const b = await fileId(await file('b.csv', 'email\nada@example.com\n'));
    const c = await fileId(await file('c.csv', 'email\nadb@example.com\n'));
    assert.equal(a.id, b.id);
    assert.notEqual(a.id, c.id);
    assert.match(a.id, /^[0-9a-f]{16}$/);
    assert.equal(a.bytes, 22);
  });
});
