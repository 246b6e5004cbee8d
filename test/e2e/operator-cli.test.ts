import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import got, { type Got } from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LeadPage } from '../../src/client/lead-list.js';
import { defaultCacheDir } from '../../src/project-paths.js';
import type { ConnectionStatus } from '../../src/shared/connection-types.js';
import { leadWorkflowId } from '../../src/shared/ids.js';
import type { LeadState } from '../../src/shared/lead-types.js';
import { resolveTemporalCli } from '../../src/temporal/cli.js';
import { runCli, runCliOnTerminal } from '../helpers/cli-process.js';
import { freePort } from '../helpers/net.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';
import { connectTemporal } from '../helpers/temporal.js';

interface PortalList {
  portals: Array<{ portalId: string; default?: boolean; connection: ConnectionStatus }>;
}

/** A custom property the sandbox portal lacks until the test creates it, so writes of it fail until then. */
const CUSTOM_PROPERTY = 'operator_cli_tier';

/**
 * The operator's `leadsync` commands (status, failed, retry-failed, resync, portals, temporal), run as real
 * processes against the real service, its sandbox and the run's Temporal dev server.
 */
describe('leadsync operator commands', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService;
  let dir: string;
  let cliEnv: Record<string, string>;
  let portal: string;
  let api: Got;

  const synced = 'ada.operator@example.com';
  const failing = 'bea.operator@example.com';
  const unknown = 'nobody.operator@example.com';
  const syncedProperties = { firstname: 'Ada', lastname: 'Lovelace', jobtitle: 'Analyst' };

  const sandbox = () => service.sandbox!;
  const leadState = (email: string) => api.get(`v1/leads/${encodeURIComponent(email)}`).json<LeadState>();
  const settled = (email: string, done: (s: LeadState) => boolean, what: string) =>
    eventually(
      async () => {
        const state = await leadState(email);
        return state.pending?.length === 0 && done(state) ? state : undefined;
      },
      { what },
    );
  const listed = (status: string) => api.get('v1/leads', { searchParams: { status, pageSize: 1000 } }).json<LeadPage>();
  /** Visibility lags the workflows: the CLI's lists are read only once the API's list shows what they should. */
  const visible = (status: string, check: (emails: string[]) => boolean) =>
    eventually(
      async () => {
        const page = await listed(status);
        return check(page.leads.map((l) => l.email)) ? page : undefined;
      },
      { what: `visibility to show the ${status} leads` },
    );
  /** A quiet lead: HubSpot's echoes of its own writes delivered and dropped, so its state stays as read. */
  const quiet = async (email: string) => {
    await sandbox().webhooks.idle();
    return settled(email, () => true, `${email} to have no pending events`);
  };
  const contactOf = (email: string) => sandbox().contacts.byEmail(email);

  before(async () => {
    ({ env, close } = await connectTemporal());
    service = await startTestService({ temporalAddress: env.address });
    portal = service.portalId()!;
    dir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-operator-'));
    cliEnv = { LEADSYNC_URL: service.httpUrl };
    api = got.extend({
      prefixUrl: service.httpUrl,
      throwHttpErrors: false,
      retry: { limit: 0 },
    });
    const registered = await api.post('v1/leads', { json: { email: synced, properties: syncedProperties } });
    assert.equal(registered.statusCode, 202);
    await settled(synced, (s) => s.status === 'synced' && s.hubspotId !== undefined, 'the first lead to sync');
  });
  after(async () => {
    await service?.stop();
    await close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('status', () => {
    it('shows a synced lead as a table, exit 0', async () => {
      const hubspotId = contactOf(synced)?.id;
      assert.ok(hubspotId, 'the sandbox has the contact');
      const run = await runCli(['status', synced], cliEnv);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^FIELD\s+VALUE$/m);
      assert.match(run.stdout, new RegExp(`^email\\s+${escaped(synced)}$`, 'm'));
      assert.match(run.stdout, new RegExp(`^portal\\s+${portal}$`, 'm'));
      assert.match(run.stdout, /^status\s+synced$/m);
      assert.match(run.stdout, new RegExp(`^hubspotId\\s+${hubspotId}$`, 'm'));
      assert.match(run.stdout, /^failed\s+0$/m);
      assert.doesNotMatch(run.stdout, /Failed events/);
      assert.equal(run.stderr, '');
    });

    it('prints the API’s state with --json, and accepts the service’s own portal', async () => {
      await quiet(synced);
      const run = await runCli(['status', synced, '--json'], cliEnv);
      assert.equal(run.code, 0, run.stderr);
      const fromCli = JSON.parse(run.stdout) as LeadState;
      assert.deepEqual(fromCli, await leadState(synced));
      assert.equal(fromCli.status, 'synced');
      assert.equal(fromCli.hubspotId, contactOf(synced)?.id);

      const named = await runCli(['status', synced, '--portal', portal, '--json'], cliEnv);
      assert.equal(named.code, 0, named.stderr);
      assert.equal((JSON.parse(named.stdout) as LeadState).email, synced);
    });

    it('exits 4 for an unknown email, and 2 naming portalId for another portal', async () => {
      const missing = await runCli(['status', unknown], cliEnv);
      assert.equal(missing.code, 4);
      assert.equal(missing.stdout, '');
      assert.match(missing.stderr, /^leadsync: no lead with this email has been seen$/m);

      const otherPortal = String(Number(portal) + 1);
      const wrong = await runCli(['status', synced, '--portal', otherPortal], cliEnv);
      assert.equal(wrong.code, 2);
      assert.equal(wrong.stdout, '');
      assert.match(wrong.stderr, new RegExp(`^leadsync: portalId: this service syncs portal ${portal} only$`, 'm'));
    });
  });

  describe('a lead HubSpot refuses', () => {
    before(async () => {
      const registered = await api.post('v1/leads', {
        json: {
          email: failing,
          eventId: 'evt-bea-register',
          properties: { firstname: 'Bea', [CUSTOM_PROPERTY]: 'gold' },
        },
      });
      assert.equal(registered.statusCode, 202);
      await settled(failing, (s) => s.status === 'failed' && s.failed.length === 1, 'the refused lead to fail');
    });

    it('`failed` lists it as a table and as JSON, and exits 1', async () => {
      await visible('failed', (emails) => emails.includes(failing));
      const table = await runCli(['failed'], cliEnv);
      assert.equal(table.code, 1, table.stderr);
      assert.match(table.stdout, /^EMAIL\s+STATUS\s+HUBSPOTID\s+WORKFLOWID$/m);
      assert.match(
        table.stdout,
        new RegExp(`^${escaped(failing)}\\s+failed\\s+${escaped(leadWorkflowId(portal, failing))}$`, 'm'),
      );
      assert.doesNotMatch(table.stdout, new RegExp(escaped(synced)));
      assert.match(table.stdout, /`leadsync retry-failed <email>` replays/);

      const json = await runCli(['failed', '--json'], cliEnv);
      assert.equal(json.code, 1, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), {
        leads: [{ email: failing, portalId: portal, status: 'failed', workflowId: leadWorkflowId(portal, failing) }],
      });
    });

    it('`failed --status synced` lists the synced leads instead, and exits 0', async () => {
      await visible('synced', (emails) => emails.includes(synced));
      const json = await runCli(['failed', '--status', 'synced', '--json'], cliEnv);
      assert.equal(json.code, 0, json.stderr);
      const { leads } = JSON.parse(json.stdout) as LeadPage;
      assert.deepEqual(
        leads.map((l) => [l.email, l.status, l.hubspotId]),
        [[synced, 'synced', contactOf(synced)?.id]],
      );

      const table = await runCli(['failed', '--status', 'synced'], cliEnv);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, new RegExp(`^${escaped(synced)}\\s+synced\\s+${contactOf(synced)!.id}\\s+lead:`, 'm'));
      assert.doesNotMatch(table.stdout, new RegExp(escaped(failing)));

      const bad = await runCli(['failed', '--status', 'lost'], cliEnv);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^leadsync: status: must be one of pending, synced, failed, blocked$/m);
    });

    it('`status` shows the failed event with its error type and HubSpot’s message, and exits 1', async () => {
      const run = await runCli(['status', failing], cliEnv);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^status\s+failed$/m);
      assert.match(run.stdout, /^hubspotId\s+\(none yet\)$/m);
      assert.match(run.stdout, /^Failed events \(`leadsync retry-failed` once the cause is fixed\):$/m);
      assert.match(run.stdout, /^EVENTID\s+KIND\s+ERRORTYPE\s+MESSAGE$/m);
      assert.match(
        run.stdout,
        new RegExp(`^evt-bea-register\\s+register\\s+HubSpotValidation\\s+.*${CUSTOM_PROPERTY}`, 'm'),
      );

      const json = await runCli(['status', failing, '--json'], cliEnv);
      assert.equal(json.code, 1, json.stderr);
      const state = JSON.parse(json.stdout) as LeadState;
      assert.deepEqual(
        state.failed.map((f) => [f.event.eventId, f.errorType]),
        [['evt-bea-register', 'HubSpotValidation']],
      );
      assert.match(state.failed[0]!.message, new RegExp(CUSTOM_PROPERTY));
    });

    it('`retry-failed` syncs it once the property exists in HubSpot, and exits 4 for an unknown email', async () => {
      assert.equal(contactOf(failing), undefined, 'HubSpot has no contact for the refused lead yet');
      const created = await got.post(`${sandbox().baseUrl}/crm/properties/2026-03/contacts`, {
        headers: { authorization: `Bearer ${sandbox().staticToken}` },
        json: {
          name: CUSTOM_PROPERTY,
          label: 'Operator CLI tier',
          type: 'string',
          fieldType: 'text',
          groupName: 'contactinformation',
        },
        throwHttpErrors: false,
      });
      assert.equal(created.statusCode, 201, created.body);

      const run = await runCli(['retry-failed', failing], cliEnv);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `retry of every failed event of ${failing} sent\n`);
      const state = await settled(failing, (s) => s.status === 'synced', 'the retried lead to sync');
      assert.deepEqual(state.failed, []);
      const contact = contactOf(failing);
      assert.equal(state.hubspotId, contact?.id);
      assert.equal(contact?.properties[CUSTOM_PROPERTY], 'gold');
      assert.equal(contact?.properties.firstname, 'Bea');

      const status = await runCli(['status', failing], cliEnv);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^status\s+synced$/m);

      await visible('failed', (emails) => emails.length === 0);
      const none = await runCli(['failed'], cliEnv);
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout, 'no leads are failed\n');

      const missing = await runCli(['retry-failed', unknown], cliEnv);
      assert.equal(missing.code, 4);
      assert.match(missing.stderr, /^leadsync: no lead with this email is known in this portal/m);
    });
  });

  describe('resync', () => {
    /** Edits the contact inside HubSpot without telling the service, as when a webhook is lost. */
    const editUnreported = async (properties: Record<string, string>) => {
      const contact = contactOf(synced)!;
      const edited = await got.patch(`${sandbox().baseUrl}/_sandbox/crm/contacts/${contact.id}`, {
        json: { properties },
        throwHttpErrors: false,
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(contactOf(synced)?.properties.firstname, properties.firstname);
    };
    const restored = () =>
      eventually(
        () => {
          const properties = contactOf(synced)?.properties;
          return (
            properties !== undefined &&
            Object.entries(syncedProperties).every(([name, value]) => properties[name] === value)
          );
        },
        { what: 'the lead’s values back on the HubSpot contact' },
      );

    let targetUrl: string | null | undefined;
    before(async () => {
      await quiet(synced);
      // A reported edit would become the lead's own latest value, and a resync would then write the edit back.
      targetUrl = sandbox().webhooks.config().targetUrl;
      sandbox().webhooks.configure({ targetUrl: null });
    });
    after(() => {
      if (targetUrl !== undefined) sandbox().webhooks.configure({ targetUrl });
    });

    it('writes the lead’s values over an edit made in HubSpot, naming the event it sent', async () => {
      await editUnreported({ firstname: 'Edited', jobtitle: 'Changed in HubSpot' });
      const run = await runCli(['resync', synced], cliEnv);
      assert.equal(run.code, 0, run.stderr);
      const workflowId = leadWorkflowId(portal, synced);
      assert.match(
        run.stdout,
        new RegExp(
          `^resync of ${escaped(synced)} accepted \\(event [0-9a-f-]{36}, workflow ${escaped(workflowId)}\\)$`,
          'm',
        ),
      );
      await restored();

      await editUnreported({ firstname: 'Edited again', lastname: 'Byron' });
      const json = await runCli(['resync', synced, '--json'], cliEnv);
      assert.equal(json.code, 0, json.stderr);
      const accepted = JSON.parse(json.stdout) as { workflowId: string; eventId: string };
      assert.equal(accepted.workflowId, workflowId);
      assert.match(accepted.eventId, /^[0-9a-f-]{36}$/);
      await restored();
      const state = await quiet(synced);
      assert.equal(state.properties.firstname, 'Ada');
    });

    it('exits 4 for an unknown email', async () => {
      const run = await runCli(['resync', unknown], cliEnv);
      assert.equal(run.code, 4);
      assert.match(run.stderr, /^leadsync: no lead with this email is known in this portal/m);
    });
  });

  it('`portals` lists the service’s portal, connected, as a table and as JSON', async () => {
    const answer = await eventually(
      async () => {
        const body = await api.get('v1/portals').json<PortalList>();
        return body.portals[0]?.connection.state === 'connected' ? body : undefined;
      },
      { what: 'the portal to be connected' },
    );
    const table = await runCli(['portals'], cliEnv);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^PORTALID\s+DEFAULT\s+MODE\s+STATE\s+EXPIRESAT\s+LASTERROR$/m);
    assert.match(table.stdout, new RegExp(`^${portal}\\s+yes\\s+oauth\\s+connected\\b`, 'm'));

    const json = await runCli(['portals', '--json'], cliEnv);
    assert.equal(json.code, 0, json.stderr);
    const listedPortals = JSON.parse(json.stdout) as PortalList;
    assert.deepEqual(listedPortals, answer);
    assert.deepEqual(
      listedPortals.portals.map((p) => [p.portalId, p.default, p.connection.state]),
      [[portal, true, 'connected']],
    );
  });

  describe('exit codes', () => {
    it('exits 3 naming LEADSYNC_URL when nothing listens there', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const run = await runCli(['status', synced], { LEADSYNC_URL: url });
      assert.equal(run.code, 3);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        new RegExp(`^leadsync: cannot reach the service at ${escaped(url)} \\(ECONNREFUSED\\).*LEADSYNC_URL`, 'm'),
      );
    });

    it('exits 5 for a missing or wrong API key and 0 with the right one, never printing a key', async () => {
      const key = randomBytes(24).toString('base64url');
      const wrongKey = randomBytes(24).toString('base64url');
      const keyed = await startTestService({ temporalAddress: env.address, env: { LEADSYNC_API_KEY: key } });
      try {
        const keyedEnv = { LEADSYNC_URL: keyed.httpUrl };
        const without = await runCli(['portals'], keyedEnv);
        assert.equal(without.code, 5);
        assert.match(without.stderr, /^leadsync: the service refused the API key \(401\).*LEADSYNC_API_KEY$/m);

        const wrong = await runCli(['portals'], { ...keyedEnv, LEADSYNC_API_KEY: wrongKey });
        assert.equal(wrong.code, 5);
        assert.match(wrong.stderr, /^leadsync: the service refused the API key \(401\).*LEADSYNC_API_KEY$/m);
        for (const secret of [key, wrongKey])
          assert.ok(!wrong.stderr.includes(secret) && !wrong.stdout.includes(secret));

        const right = await runCli(['portals', '--json'], { ...keyedEnv, LEADSYNC_API_KEY: key });
        assert.equal(right.code, 0, right.stderr);
        assert.deepEqual(
          (JSON.parse(right.stdout) as PortalList).portals.map((p) => p.portalId),
          [keyed.portalId()],
        );
        assert.ok(!right.stdout.includes(key) && !right.stderr.includes(key));
      } finally {
        await keyed.stop();
      }
    });

    it('exits 2 for an unknown command, an unknown flag or a missing argument; 0 with usage for --help', async () => {
      const command = await runCli(['frobnicate'], cliEnv);
      assert.equal(command.code, 2);
      assert.match(command.stderr, /unknown command 'frobnicate'/);

      const flag = await runCli(['status', synced, '--colour'], cliEnv);
      assert.equal(flag.code, 2);
      assert.match(flag.stderr, /unknown option '--colour'/);

      const argument = await runCli(['retry-failed'], cliEnv);
      assert.equal(argument.code, 2);
      assert.match(argument.stderr, /missing required argument 'email'/);

      const help = await runCli(['--help'], cliEnv);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^Usage: leadsync \[options\] \[command\]$/m);
      for (const name of ['import', 'status', 'resync', 'retry-failed', 'failed', 'portals', 'temporal']) {
        assert.match(help.stdout, new RegExp(`^  ${name}\\b`, 'm'), `--help lists ${name}`);
      }
      assert.match(help.stdout, /Exit codes: 0 done; 1 .*5 API key refused/);

      const importHelp = await runCli(['import', '--help'], cliEnv);
      assert.equal(importHelp.code, 0, importHelp.stderr);
      assert.match(importHelp.stdout, /^Usage: leadsync import \[options\] <file>$/m);
      assert.match(importHelp.stdout, /--wait/);
      assert.match(importHelp.stdout, /--errors <file>/);
    });
  });

  describe('temporal', () => {
    const temporalEnv = () => ({
      ...cliEnv,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
    });

    it('describes a lead’s workflow on the service’s server', async () => {
      const workflowId = leadWorkflowId(portal, synced);
      const run = await runCli(['temporal', 'workflow', 'describe', '--workflow-id', workflowId], temporalEnv());
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`WorkflowId\\s+${escaped(workflowId)}`));
      assert.match(run.stdout, /Type\s+leadSync\b/);
    });

    it('decodes the lead’s payloads through the service’s codec endpoint; the stored history holds ciphertext', async () => {
      const args = ['workflow', 'show', '--workflow-id', leadWorkflowId(portal, synced), '--output', 'json'];
      const run = await runCli(['temporal', ...args], temporalEnv());
      assert.equal(run.code, 0, run.stderr);
      const decoded = startInput(run.stdout);
      assert.equal(decoded.encoding, 'json/plain');
      assert.equal((decoded.value as { email?: string }).email, synced);

      const direct = await temporalDirect(args, { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' });
      assert.equal(direct.code, 0);
      assert.equal(startInput(direct.stdout).encoding, 'binary/encrypted');
    });

    it('passes the Temporal CLI’s own exit code through for a workflow that does not exist', async () => {
      const args = ['workflow', 'describe', '--workflow-id', 'nope'];
      const run = await runCli(['temporal', ...args], temporalEnv());
      const direct = await temporalDirect(args, { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' });
      assert.notEqual(direct.code, 0);
      assert.equal(run.code, direct.code);
      assert.match(run.stderr, /not found/i);
    });
  });

  it('draws a progress bar for `import --wait` on a terminal, and exits 0', async () => {
    const rows = 300;
    const lines = ['email,firstname'];
    for (let i = 0; i < rows; i++) lines.push(`pty-${i}@example.com,Pty ${i}`);
    const file = path.join(dir, 'terminal.csv');
    await writeFile(file, `${lines.join('\n')}\n`);

    const run = await runCliOnTerminal(['import', file, '--wait'], cliEnv);
    assert.equal(run.code, 0, run.output);
    // cli-progress redraws its line in place: each frame starts by moving the cursor back to the first column.
    const frames = run.output.split('\u001b[1G').filter((f) => /^(reading|waiting) [█░]+ \d+% \| read \d+/.test(f));
    assert.ok(frames.length >= 2, `the bar was drawn and redrawn (${frames.length} frames)`);
    assert.match(frames.at(-1)!, new RegExp(`^waiting █+ 100% .* synced ${rows} failed 0 \\| \\d+/s ETA`));
    assert.doesNotMatch(run.output, /^leadsync import:/m, 'no plain progress lines on a terminal');
    assert.match(
      run.output,
      new RegExp(`${rows} rows, ${rows} accepted, 0 invalid, ${rows} synced, 0 failed, 0 pending`),
    );
    assert.equal(
      sandbox()
        .contacts.all()
        .filter((c) => /^pty-\d+@example\.com$/.test(String(c.properties.email))).length,
      rows,
    );
  });
});

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The Temporal CLI itself, found as the CLI and the test harness find it, for comparison with `leadsync temporal`. */
async function temporalDirect(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  const cli = await resolveTemporalCli({ cacheDir: defaultCacheDir, install: false });
  assert.equal(cli.executable.type, 'existing-path');
  const executable = cli.executable.type === 'existing-path' ? cli.executable.path : '';
  return new Promise((resolve) => {
    execFile(
      executable,
      args,
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } },
      (err, stdout) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }),
    );
  });
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** The workflow's start input in `temporal workflow show --output json`: its encoding and, for JSON, its value. */
function startInput(historyJson: string): { encoding: string; value?: unknown } {
  const history = JSON.parse(historyJson) as {
    events: Array<{ workflowExecutionStartedEventAttributes?: { input?: { payloads?: JsonPayload[] } } }>;
  };
  const payload = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  assert.ok(payload, 'the history starts with the workflow’s input');
  const base64 = (text = '') => Buffer.from(text, 'base64').toString('utf8');
  const encoding = base64(payload.metadata?.encoding);
  return encoding === 'json/plain' ? { encoding, value: JSON.parse(base64(payload.data)) } : { encoding };
}
