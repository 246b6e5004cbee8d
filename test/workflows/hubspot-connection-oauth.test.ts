import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities/index.js';
import { createHubSpotClient } from '../../src/hubspot/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { reauthorizeConnection } from '../../src/service/connection.js';
import { createPortalRegistry } from '../../src/service/portals.js';
import { connectionWorkflowId } from '../../src/shared/ids.js';
import { connectionStatusQuery, getAccessTokenUpdate } from '../../src/shared/messages.js';
import { eventually } from '../helpers/service.js';
import { connectTemporal, withWorker } from '../helpers/temporal.js';

describe('hubspotConnection with OAuth against the sandbox', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;

  before(async () => ({ env, close } = await connectTemporal()));
  after(async () => close());
  // A sandbox per test, each with a portal id of its own, so connection workflows and counters never meet.
  beforeEach(async () => {
    sandbox = await startSandbox({
      accessTokenTtlSeconds: 3,
      rateLimit: false,
      portalId: Math.floor(Math.random() * 1e9),
    });
  });
  afterEach(async () => sandbox.close());

  const activitiesFor = () => {
    const oauth = createHubSpotClient({
      baseUrl: sandbox.baseUrl,
      timeoutMs: 5_000,
      oauth: { clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
    }).oauth;
    const portal = createPortalRegistry({
      client: env.client,
      baseUrl: sandbox.baseUrl,
      apiVersion: '2026-03',
      timeoutMs: 5_000,
      auth: { mode: 'oauth' },
    });
    return { portal, activities: createActivities({ portal, oauth }) };
  };
  const connect = (
    taskQueue: string,
    portalId: string,
    how: Parameters<typeof reauthorizeConnection>[1],
    refreshMarginMs = 1_000,
  ) => reauthorizeConnection({ client: env.client, taskQueue, portalId, mode: 'oauth', refreshMarginMs }, how);
  const newPortal = () => String(sandbox.portalId);

  it('refreshes ahead of expiry over many cycles, so no HubSpot call ever carries an expired token', async () => {
    const { portal, activities } = activitiesFor();
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      const status = await connect(taskQueue, portalId, { refreshToken: sandbox.issueRefreshToken() });
      assert.equal(status.state, 'connected');
      const before = sandbox.counters();
      let calls = 0;
      // Real CRM calls through the connection's tokens until five refresh cycles (3-second tokens) have passed.
      await eventually(
        async () => {
          await portal(portalId).contacts.getByEmail('nobody@example.com');
          calls += 1;
          return sandbox.counters().refreshes - before.refreshes >= 5;
        },
        { timeoutMs: 60_000, what: 'five token refreshes' },
      );
      const after = sandbox.counters();
      assert.equal(after.expiredTokenUses - before.expiredTokenUses, 0, 'no call used an expired token');
      assert.ok(calls >= 10, `made ${calls} calls`);
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const final = await handle.query(connectionStatusQuery);
      assert.equal(final.state, 'connected');
      assert.equal(final.consecutiveFailures, 0);
      await handle.terminate('test over');
    });
  });

  it('serves 50 concurrent getAccessToken calls with exactly one refresh', async () => {
    await sandbox.close();
    // Tokens that live a minute, so the only refresh is the one the stale start forces.
    sandbox = await startSandbox({
      accessTokenTtlSeconds: 60,
      rateLimit: false,
      portalId: Math.floor(Math.random() * 1e9),
    });
    const { activities } = activitiesFor();
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      // Tokens that are already stale: the first caller's request must refresh, and everyone must share it.
      await connect(
        taskQueue,
        portalId,
        {
          tokens: {
            accessToken: 'stale-token',
            refreshToken: sandbox.issueRefreshToken(),
            expiresAt: Date.now() - 1_000,
          },
        },
        60_000,
      );
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const before = sandbox.counters().refreshes;
      const grants = await Promise.all(
        Array.from({ length: 50 }, () =>
          handle.executeUpdate(getAccessTokenUpdate, { args: [{ minValidityMs: 1_000 }] }),
        ),
      );
      assert.equal(sandbox.counters().refreshes - before, 1);
      assert.equal(new Set(grants.map((g) => g.accessToken)).size, 1);
      assert.notEqual(grants[0]!.accessToken, 'stale-token');
      await handle.terminate('test over');
    });
  });

  it('goes to needs_reauth on a revoked refresh token without a retry loop, and reauthorize resumes', async () => {
    const { activities } = activitiesFor();
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      const refreshToken = sandbox.issueRefreshToken();
      await connect(taskQueue, portalId, { refreshToken });
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const before = sandbox.counters().tokenEndpointCalls;
      sandbox.revokeRefreshTokens();
      const broken = await eventually(
        async () => {
          const s = await handle.query(connectionStatusQuery);
          return s.state === 'needs_reauth' ? s : undefined;
        },
        { what: 'needs_reauth' },
      );
      assert.match(broken.lastError ?? '', /refresh token/i);
      const spent = sandbox.counters().tokenEndpointCalls - before;
      assert.ok(spent >= 1 && spent <= 2, `token endpoint calls after revocation: ${spent}`);

      await assert.rejects(
        handle.executeUpdate(getAccessTokenUpdate, { args: [{}] }),
        (err: unknown) =>
          err instanceof WorkflowUpdateFailedError && /needs re-authorization/.test(String(err.cause?.message)),
      );
      // Several token lifetimes later the workflow still has not called HubSpot again.
      const stillBroken = await eventually(
        async () => {
          const s = await handle.query(connectionStatusQuery);
          return Date.now() - Date.parse(s.expiresAt ?? '0') > 3_000 ? s : undefined;
        },
        { what: 'the dead token to be long expired' },
      );
      assert.equal(stillBroken.state, 'needs_reauth');
      assert.equal(sandbox.counters().tokenEndpointCalls - before, spent);
      const listed = [];
      for await (const run of env.client.workflow.list({
        query: `HubSpotPortal = "${portalId}" AND HubSpotConnectionState = "needs_reauth"`,
      }))
        listed.push(run.workflowId);
      assert.deepEqual(listed, [connectionWorkflowId(portalId)]);

      const resumed = await connect(taskQueue, portalId, { refreshToken: sandbox.issueRefreshToken() });
      assert.equal(resumed.state, 'connected');
      const grant = await handle.executeUpdate(getAccessTokenUpdate, { args: [{}] });
      assert.ok(grant.accessToken.length > 0);
      await handle.terminate('test over');
    });
  });

  it('keeps its refresh timer across a worker that went away: the next worker refreshes on time', async () => {
    const portalId = newPortal();
    const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
    const taskQueue = `conn-restart-${portalId}`;
    const first = await withWorker(env, { activities: activitiesFor().activities, taskQueue }, () =>
      connect(taskQueue, portalId, { refreshToken: sandbox.issueRefreshToken() }),
    );
    const expiredAt = Date.parse(first.expiresAt!);
    const refreshesBefore = sandbox.counters().refreshes;
    // No worker polls while the timer comes due.
    await eventually(() => Promise.resolve(Date.now() > expiredAt + 500), {
      what: 'the token to expire with no worker',
    });
    assert.equal(sandbox.counters().refreshes, refreshesBefore);
    const later = await withWorker(env, { activities: activitiesFor().activities, taskQueue }, () =>
      eventually(
        async () => {
          const s = await handle.query(connectionStatusQuery);
          return Date.parse(s.expiresAt!) > expiredAt && s.state === 'connected' ? s : undefined;
        },
        { what: 'a refresh after restart' },
      ),
    );
    assert.ok(Date.parse(later.lastRefreshAt!) > Date.parse(first.lastRefreshAt!));
    assert.ok(sandbox.counters().refreshes > refreshesBefore);
    await handle.terminate('test over');
  });

  it('shows transient refresh failures in its status, backs off, and recovers by itself', async () => {
    const { activities } = activitiesFor();
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      await connect(taskQueue, portalId, { refreshToken: sandbox.issueRefreshToken() });
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const first = await handle.query(connectionStatusQuery);
      sandbox.faults.failNext({ route: 'oauth.token', status: 503, count: 3 });
      const failing = await eventually(
        async () => {
          const s = await handle.query(connectionStatusQuery);
          return s.consecutiveFailures >= 1 ? s : undefined;
        },
        { what: 'a failed refresh to show in status' },
      );
      assert.equal(failing.state, 'refreshing');
      assert.match(failing.lastError ?? '', /503/);
      const recovered = await eventually(
        async () => {
          const s = await handle.query(connectionStatusQuery);
          return s.state === 'connected' && s.consecutiveFailures === 0 && s.lastRefreshAt !== first.lastRefreshAt
            ? s
            : undefined;
        },
        { what: 'the refresh to succeed after the outage' },
      );
      assert.equal(recovered.lastError, undefined);
      assert.equal(sandbox.counters().injectedErrors, 3);
      await handle.terminate('test over');
    });
  });

  it('continues as new with its tokens and keeps refreshing on time', async () => {
    const { activities } = activitiesFor();
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      await reauthorizeConnection(
        {
          client: env.client,
          taskQueue,
          portalId,
          mode: 'oauth',
          refreshMarginMs: 1_000,
          continueAsNewAfterEvents: 30,
        },
        { refreshToken: sandbox.issueRefreshToken() },
      );
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const firstRun = (await handle.describe()).runId;
      const newRun = await eventually(
        async () => {
          const run = (await handle.describe()).runId;
          return run !== firstRun ? run : undefined;
        },
        { timeoutMs: 60_000, what: 'a continue-as-new' },
      );
      const refreshesAtNewRun = sandbox.counters().refreshes;
      const after = await eventually(
        async () => {
          const s = await handle.query(connectionStatusQuery);
          return sandbox.counters().refreshes > refreshesAtNewRun && s.state === 'connected' ? s : undefined;
        },
        { timeoutMs: 30_000, what: 'a refresh in the new run' },
      );
      assert.equal(after.portalId, portalId);
      const grant = await handle.executeUpdate(getAccessTokenUpdate, { args: [{}] });
      assert.ok(grant.expiresAt > Date.now());
      assert.notEqual(newRun, firstRun);
      await handle.terminate('test over');
    });
  });

  it('stores only ciphertext: the raw history holds neither token', async () => {
    const { activities } = activitiesFor();
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      const refreshToken = sandbox.issueRefreshToken();
      await connect(taskQueue, portalId, { refreshToken });
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const { accessToken } = await handle.executeUpdate(getAccessTokenUpdate, { args: [{}] });
      const raw = new Client({ connection: env.connection, namespace: 'default' });
      const history = await raw.workflow.getHandle(connectionWorkflowId(portalId)).fetchHistory();
      const text = JSON.stringify(history);
      assert.equal(text.includes(accessToken), false, 'access token in history');
      assert.equal(text.includes(refreshToken), false, 'refresh token in history');
      assert.equal(text.includes(Buffer.from(accessToken).toString('base64')), false, 'base64 access token in history');
      assert.equal(
        text.includes(Buffer.from(refreshToken).toString('base64')),
        false,
        'base64 refresh token in history',
      );
      assert.ok(text.includes(Buffer.from('binary/encrypted').toString('base64')), 'payloads are marked encrypted');
      await handle.terminate('test over');
    });
  });
});
