import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ConnectionStatus } from '../../src/shared/connection-types.js';
import type { LeadState } from '../../src/shared/lead-types.js';
import { resolveTemporalCli } from '../../src/temporal/cli.js';
import { defaultCacheDir } from '../../src/project-paths.js';
import { leadWorkflowId } from '../../src/shared/ids.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';
import { connectTemporal } from '../helpers/temporal.js';
import { validationErrorBody } from '../helpers/hubspot-answers.js';

const run = promisify(execFile);

describe('portal connection, codec endpoint and operator actions, end to end', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService;
  let api: typeof got;

  before(async () => {
    ({ env, close } = await connectTemporal());
    service = await startTestService({ temporalAddress: env.address });
    api = got.extend({
      prefixUrl: service.httpUrl,
      throwHttpErrors: false,
      retry: { limit: 0 },
      followRedirect: false,
    });
  });
  after(async () => {
    await service?.stop();
    await close();
  });

  const sandbox = () => service.sandbox!;
  const leadState = async (email: string) =>
    (await api.get(`v1/leads/${email}`, { responseType: 'json' })).body as LeadState;
  const connection = async () => (await api.get('v1/connection', { responseType: 'json' })).body as ConnectionStatus;

  /** Browser steps of the install: our redirect, HubSpot's (the sandbox's) authorize page, our callback. */
  async function install(): Promise<{ status: number; page: string; callbackUrl: string }> {
    const start = await api.get('oauth/install');
    assert.equal(start.statusCode, 302);
    const authorize = new URL(start.headers.location!);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${sandbox().baseUrl}/oauth/authorize`);
    assert.equal(authorize.searchParams.get('client_id'), sandbox().clientId);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${service.httpUrl}/oauth/callback`);
    assert.ok(authorize.searchParams.get('state'));
    const nonceCookie = String(start.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    assert.match(nonceCookie, /^leadsync_oauth=.+/);
    const approved = await got(authorize, { followRedirect: false, throwHttpErrors: false });
    assert.equal(approved.statusCode, 302);
    const callbackUrl = approved.headers.location!;
    const callback = await got(callbackUrl, {
      followRedirect: false,
      throwHttpErrors: false,
      headers: { cookie: nonceCookie },
    });
    return { status: callback.statusCode, page: callback.body, callbackUrl };
  }

  it('runs the OAuth install flow over real HTTP and refuses a forged state', async () => {
    const { status, page } = await install();
    assert.equal(status, 200, page);
    assert.match(page, new RegExp(`Portal ${sandbox().portalId} is connected`));
    const conn = await connection();
    assert.equal(conn.state, 'connected');
    assert.equal(conn.mode, 'oauth');
    assert.equal(conn.portalId, String(sandbox().portalId));
    assert.doesNotMatch(JSON.stringify(conn), /token"|accessToken|refreshToken/);

    // The same callback from a browser that did not start the install (no nonce cookie) is refused.
    const { callbackUrl } = await install();
    const elsewhere = await got(callbackUrl, { followRedirect: false, throwHttpErrors: false });
    assert.equal(elsewhere.statusCode, 400);
    assert.match(elsewhere.body, /not started from this browser/);

    const forged = await api.get('oauth/callback', {
      searchParams: {
        code: sandbox().issueAuthorizationCode(`${service.httpUrl}/oauth/callback`),
        state: 'e30.forged',
      },
    });
    assert.equal(forged.statusCode, 400);
    assert.match(forged.body, /state signature does not match/);
    assert.equal((await api.get('oauth/callback', { searchParams: { state: 'x' } })).statusCode, 400);
  });

  it('parks leads while the refresh token is dead and resumes them after re-authorization', async () => {
    const email = `parked-${Date.now()}@example.com`;
    sandbox().revokeRefreshTokens();
    sandbox().expireAllAccessTokens();
    const callsBefore = sandbox().counters().tokenEndpointCalls;
    assert.equal(
      (await api.post('v1/leads', { json: { email, properties: { firstname: 'Parked' } } })).statusCode,
      202,
    );

    const blocked = await eventually(
      async () => ((await leadState(email)).status === 'blocked' ? leadState(email) : undefined),
      { what: 'the lead to park' },
    );
    assert.deepEqual(
      blocked.pending.map((p) => [p.kind, p.inFlight]),
      [['register', true]],
      'the parked register is shown in flight',
    );
    assert.equal(blocked.failed.length, 0, 'an auth failure is not a failed event');
    assert.equal((await connection()).state, 'needs_reauth');
    assert.equal(sandbox().contacts.byEmail(email), undefined);
    const spent = sandbox().counters().tokenEndpointCalls - callsBefore;
    assert.ok(spent <= 2, `token endpoint calls while broken: ${spent}`);

    const { status } = await install();
    assert.equal(status, 200);
    const resumed = await eventually(
      async () => {
        const s = await leadState(email);
        return s.status === 'synced' && s.hubspotId ? s : undefined;
      },
      { what: 'the parked lead to sync after re-authorization' },
    );
    assert.equal(sandbox().contacts.byEmail(email)?.id, resumed.hubspotId);
    assert.equal((await connection()).state, 'connected');
  });

  it('decodes through the codec endpoint what the UI would send, with CORS for the UI origin', async () => {
    const email = `codec-${Date.now()}@example.com`;
    await api.post('v1/leads', { json: { email, properties: { firstname: 'Cipher' } } });
    await eventually(async () => (await leadState(email)).hubspotId, { what: 'the lead to sync' });
    const raw = new Client({ connection: env.connection });
    const history = await raw.workflow.getHandle(leadWorkflowId(service.portalId()!, email)).fetchHistory();
    const signal = history.events?.find(
      (e) => e.workflowExecutionSignaledEventAttributes,
    )?.workflowExecutionSignaledEventAttributes;
    const payload = signal?.input?.payloads?.[0];
    assert.ok(payload, 'the signal carries a payload');
    const asJson = {
      metadata: Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
    };
    assert.equal(Buffer.from(asJson.data, 'base64').includes(email), false, 'the stored payload is ciphertext');

    const uiOrigin = 'http://localhost:8233';
    const decoded = await api.post('codec/decode', {
      json: { payloads: [asJson] },
      headers: { origin: uiOrigin, 'x-namespace': 'default' },
      responseType: 'json',
    });
    assert.equal(decoded.statusCode, 200);
    assert.equal(decoded.headers['access-control-allow-origin'], uiOrigin);
    const plain = (decoded.body as { payloads: Array<{ metadata: Record<string, string>; data: string }> })
      .payloads[0]!;
    assert.equal(Buffer.from(plain.metadata.encoding!, 'base64').toString(), 'json/plain');
    const event = JSON.parse(Buffer.from(plain.data, 'base64').toString()) as {
      email: string;
      properties: { firstname: string };
    };
    assert.equal(event.email, email);
    assert.equal(event.properties.firstname, 'Cipher');

    const preflight = await api('codec/decode', {
      method: 'OPTIONS',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.statusCode, 204);
    assert.match(String(preflight.headers['access-control-allow-headers']), /x-namespace/);
    const otherOrigin = await api.post('codec/decode', {
      json: { payloads: [asJson] },
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(otherOrigin.headers['access-control-allow-origin'], undefined);

    // Operators see the connection's history, but never its tokens.
    const connectionHistory = await raw.workflow.getHandle(`hubspot-connection:${sandbox().portalId}`).fetchHistory();
    const tokenPayloads = (connectionHistory.events ?? []).flatMap((e) => [
      ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
      ...(e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads ?? []),
    ]);
    assert.ok(tokenPayloads.length > 0, 'the connection history has token-bearing payloads');
    const decodedTokens = await api.post('codec/decode', {
      responseType: 'json',
      json: {
        payloads: tokenPayloads.map((p) => ({
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
        })),
      },
    });
    const texts = (decodedTokens.body as { payloads: Array<{ data: string }> }).payloads.map((p) =>
      Buffer.from(p.data, 'base64').toString(),
    );
    assert.ok(
      texts.some((t) => t.includes('"accessToken":"[redacted]"')),
      texts.join('\n'),
    );
    assert.ok(
      texts.every((t) => !/"(accessToken|refreshToken)":"(?!\[redacted\])/.test(t)),
      texts.join('\n'),
    );
  });

  it('on a 403 in OAuth mode verifies once, then parks the lead on needs_reauth: no retry storm', async () => {
    const email = `scopes-${Date.now()}@example.com`;
    const forbidden = {
      status: 'error',
      message: 'This app has not been granted all required scopes to make this call.',
      category: 'MISSING_SCOPES',
      correlationId: 'scopes',
    };
    sandbox().faults.failNext({ route: 'contacts.batchUpsert', status: 403, body: forbidden, count: 1_000 });
    const before = sandbox().counters().requestsByRoute['contacts.batchUpsert'] ?? 0;
    await api.post('v1/leads', { json: { email, properties: { firstname: 'Scopes' } } });
    await eventually(async () => ((await connection()).state === 'needs_reauth' ? true : undefined), {
      what: 'needs_reauth',
    });
    const parked = await eventually(
      async () => ((await leadState(email)).status === 'blocked' ? leadState(email) : undefined),
      { what: 'the lead to park' },
    );
    assert.equal(parked.failed.length, 0);
    const attempts = (sandbox().counters().requestsByRoute['contacts.batchUpsert'] ?? 0) - before;
    assert.ok(attempts >= 1 && attempts <= 3, `403 answers spent: ${attempts}`);
    // A while later, still nothing more was sent.
    const quietSince = Date.now();
    await eventually(() => Promise.resolve(Date.now() - quietSince > 1_500), { what: 'a quiet period' });
    assert.equal((sandbox().counters().requestsByRoute['contacts.batchUpsert'] ?? 0) - before, attempts);

    sandbox().faults.reset();
    assert.equal((await install()).status, 200);
    await eventually(async () => ((await leadState(email)).hubspotId ? true : undefined), {
      what: 'the lead to sync after re-install',
    });
  });

  it('replays failed events and resyncs a lead with the exact temporal CLI commands of the README', async () => {
    const found = await resolveTemporalCli({ cacheDir: defaultCacheDir });
    assert.equal(found.executable.type, 'existing-path');
    const cli = found.executable.type === 'existing-path' ? found.executable.path : '';
    const email = `operator-${Date.now()}@example.com`;
    await api.post('v1/leads', { json: { email, properties: { firstname: 'Op' } } });
    await eventually(async () => (await leadState(email)).hubspotId, { what: 'the lead to sync' });

    sandbox().faults.failNext({
      route: 'contacts.batchUpsert',
      status: 400,
      body: validationErrorBody,
    });
    await api.patch(`v1/leads/${email}`, { json: { properties: { jobtitle: 'Operator' } } });
    await eventually(async () => (await leadState(email)).failed.length === 1, { what: 'the failed event' });

    const signal = (name: string, input: string) =>
      run(cli, [
        'workflow',
        'signal',
        '--address',
        env.address,
        '--workflow-id',
        leadWorkflowId(service.portalId()!, email),
        '--name',
        name,
        '--input',
        input,
      ]);
    await signal('retryFailed', '{}');
    const replayed = await eventually(
      async () => {
        const s = await leadState(email);
        return s.failed.length === 0 && s.properties.jobtitle === 'Operator' ? s : undefined;
      },
      { what: 'the replayed event to apply' },
    );
    assert.equal(replayed.status, 'synced');
    assert.equal(sandbox().contacts.byEmail(email)!.properties.jobtitle, 'Operator');

    // HubSpot drifts without telling (its webhook is lost); a resync puts back what the lead last knew.
    const target = sandbox().webhooks.config().targetUrl;
    sandbox().webhooks.configure({ targetUrl: null });
    const contactId = sandbox().contacts.byEmail(email)!.id;
    const edit = await got.patch(`${sandbox().baseUrl}/crm/objects/2026-03/contacts/${contactId}`, {
      headers: { authorization: `Bearer ${sandbox().staticToken}` },
      json: { properties: { jobtitle: 'Edited in HubSpot' } },
      throwHttpErrors: false,
    });
    assert.equal(edit.statusCode, 200);
    sandbox().webhooks.configure({ targetUrl: target });
    await signal(
      'leadEvent',
      JSON.stringify({ kind: 'resync', eventId: `resync-${Date.now()}`, email, receivedAt: new Date().toISOString() }),
    );
    await eventually(() => Promise.resolve(sandbox().contacts.byEmail(email)!.properties.jobtitle === 'Operator'), {
      what: 'the resync',
    });
  });
});
