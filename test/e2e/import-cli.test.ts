import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ImportSummary } from '../../src/cli/import/run-import.js';
import { runCli } from '../helpers/cli-process.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { connectTemporal } from '../helpers/temporal.js';

/** `leadsync import` through the real service, dev server and sandbox. */
describe('leadsync import', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService;
  let dir: string;
  let cliEnv: Record<string, string>;

  before(async () => {
    ({ env, close } = await connectTemporal());
    service = await startTestService({ temporalAddress: env.address });
    dir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-import-'));
    cliEnv = { LEADSYNC_URL: service.httpUrl };
  });
  after(async () => {
    await service?.stop();
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  const sandbox = () => service.sandbox!;
  const writes = () => {
    const routes = sandbox().counters().requestsByRoute;
    return Object.entries(routes)
      .filter(([route]) => /contacts\.(batch|create|update|upsert)/.test(route))
      .reduce((n, [, count]) => n + count, 0);
  };
  const csv = async (name: string, lines: string[]) => {
    const at = path.join(dir, name);
    await writeFile(at, `${lines.join('\r\n')}\r\n`);
    return at;
  };
  const summaryOf = (stdout: string) => JSON.parse(stdout) as ImportSummary;

  it('imports a few thousand rows, quoted and multi-line fields intact; the same file again writes nothing', async () => {
    const rows = 2_000;
    const lines = ['email,firstname,Job Title,company'];
    for (let i = 0; i < rows; i++) {
      const job = i % 250 === 0 ? `"Engineer, ""senior""\r\nand poet ${i}"` : `Job ${i}`;
      lines.push(`Bulk-${i}@Example.com,First ${i},${job},Co ${i % 17}`);
    }
    const file = await csv('bulk.csv', lines);

    const first = await runCli(['import', file, '--map', 'Job Title=jobtitle', '--wait', '--json'], cliEnv);
    assert.equal(first.code, 0, first.stderr);
    const summary = summaryOf(first.stdout);
    assert.deepEqual(
      {
        rows: summary.rows,
        accepted: summary.accepted,
        invalid: summary.invalid,
        synced: summary.synced,
        failed: summary.failed,
      },
      { rows, accepted: rows, invalid: 0, synced: rows, failed: 0 },
    );
    assert.equal(summary.complete, true);
    for (const i of [0, 1, 250, 1_500, rows - 1]) {
      const contact = sandbox().contacts.byEmail(`bulk-${i}@example.com`);
      assert.ok(contact, `contact ${i} exists`);
      assert.equal(contact.properties.firstname, `First ${i}`);
      assert.equal(contact.properties.jobtitle, i % 250 === 0 ? `Engineer, "senior"\r\nand poet ${i}` : `Job ${i}`);
      assert.equal(contact.properties.company, `Co ${i % 17}`);
    }
    assert.equal(
      sandbox()
        .contacts.all()
        .filter((c) => /^bulk-/.test(String(c.properties.email))).length,
      rows,
    );
    // Without a terminal, progress is plain lines on stderr; stdout is the summary alone.
    assert.match(
      first.stderr,
      /^leadsync import: (reading|waiting): read \d+, accepted \d+, synced \d+, failed \d+, \d+ rows\/s, ETA /m,
    );
    assert.ok(!first.stderr.includes('\u001b['), 'no terminal control sequences in a pipe');

    const before = writes();
    const again = await runCli(['import', file, '--map', 'Job Title=jobtitle', '--wait', '--json'], cliEnv);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(summaryOf(again.stdout).synced, rows);
    assert.equal(writes(), before, 'the second run sent no HubSpot writes');
  });

  it('keeps one lead’s rows in file order across batches in flight', async () => {
    const lines = ['email,jobtitle'];
    for (let i = 0; i < 60; i++) lines.push(`order-${i % 3}@example.com,step ${i}`);
    const file = await csv('order.csv', lines);
    const run = await runCli(['import', file, '--wait', '--json', '--batch-size', '4', '--in-flight', '4'], cliEnv);
    assert.equal(run.code, 0, run.stderr);
    for (let k = 0; k < 3; k++) {
      assert.equal(sandbox().contacts.byEmail(`order-${k}@example.com`)?.properties.jobtitle, `step ${57 + k}`);
    }
  });

  it('reports bad rows by line and field, writes them to --errors, imports the rest, and exits 1', async () => {
    const file = await csv('mixed.csv', [
      'email,firstname,lifecyclestage',
      'good-1@example.com,Good,lead',
      'not-an-email,Bad,lead',
      'good-2@example.com,"Two, ""quoted""",customer',
      'short@example.com,Short',
      'good-3@example.com,Three,',
    ]);
    const errors = path.join(dir, 'mixed-errors.csv');
    const run = await runCli(['import', file, '--wait', '--errors', errors], cliEnv);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /5 rows, 3 accepted, 2 invalid, 3 synced, 0 failed, 0 pending/);
    assert.match(run.stdout, new RegExp(`rows that did not make it: ${errors.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const written = (await readFile(errors, 'utf8')).trim().split('\n');
    assert.deepEqual(written, [
      'line,row,field,reason,email,firstname,lifecyclestage',
      '3,2,email,must be an email address,not-an-email,Bad,lead',
      '5,4,(row),"has 2 fields, the header has 3",short@example.com,Short',
    ]);
    assert.equal(sandbox().contacts.byEmail('good-2@example.com')?.properties.firstname, 'Two, "quoted"');
    assert.equal(sandbox().contacts.byEmail('good-3@example.com')?.properties.firstname, 'Three');
    assert.equal(sandbox().contacts.byEmail('short@example.com'), undefined);
  });

  it('counts rows HubSpot refuses as failed, with HubSpot’s reason in --errors', async () => {
    const file = await csv('unknown-property.csv', ['email,no_such_property', 'refused@example.com,x']);
    const errors = path.join(dir, 'refused-errors.csv');
    const run = await runCli(['import', file, '--wait', '--json', '--errors', errors], cliEnv);
    assert.equal(run.code, 1, run.stderr);
    const summary = summaryOf(run.stdout);
    assert.deepEqual([summary.accepted, summary.synced, summary.failed, summary.complete], [1, 0, 1, false]);
    assert.match(await readFile(errors, 'utf8'), /2,1,HubSpotValidation,.*no_such_property.*,refused@example.com,x/);
  });

  it('refuses a header it cannot import before sending anything, with exit code 2', async () => {
    const file = await csv('bad-header.csv', ['E-Mail,First Name', 'ada@example.com,Ada']);
    const before = writes();
    const run = await runCli(['import', file], cliEnv);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /column "E-Mail": must be a HubSpot internal property name/);
    assert.match(run.stderr, /no email column/);
    assert.equal(writes(), before);
  });
});
