import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities/index.js';
import { connectionTokenProvider } from '../../src/activities/token-provider.js';
import { createHubSpotClient } from '../../src/hubspot/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { reauthorizeConnection } from '../../src/service/connection.js';
import { createPortalSessions } from '../../src/portals/portal-session.js';
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
  const openSandbox = (accessTokenTtlSeconds: number) =>
    startSandbox({ accessTokenTtlSeconds, rateLimit: false, portalId: Math.floor(Math.random() * 1e9) });
  beforeEach(async () => (sandbox = await openSandbox(3)));
  afterEach(async () => sandbox.close());

  const activitiesFor = (clientSecret = sandbox.clientSecret) => {
    const oauth = createHubSpotClient({
      baseUrl: sandbox.baseUrl,
      timeoutMs: 5_000,
      oauth: { clientId: sandbox.clientId, clientSecret },
    }).oauth;
    const portal = createPortalSessions({
      client: env.client,
      baseUrl: sandbox.baseUrl,
      apiVersion: '2026-03',
      timeoutMs: 5_000,
      auth: { mode: 'oauth' },
      // The sandbox enforces no limit here, and workers calling as fast as they can must not wait on their own.
      rateLimit: 10_000,
    });
    return { portal, activities: createActivities({ portal, oauth, client: env.client }) };
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

  // With 3-second tokens a 1-second margin decides the refresh instant, and the default 5-minute one is capped at
  // half the lifetime: both ways the timer and the workers' requests come due together.
  for (const { decides, marginMs } of [
    { decides: 'the margin', marginMs: 1_000 },
    { decides: 'half the lifetime', marginMs: 300_000 },
  ]) {
    it(`refreshes once per expiry with workers asking all around the refresh instant (${decides} decides)`, async () => {
      const { activities } = activitiesFor();
      await withWorker(env, { activities }, async ({ taskQueue }) => {
        const portalId = newPortal();
        await connect(taskQueue, portalId, { refreshToken: sandbox.issueRefreshToken() }, marginMs);
        const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
        const currentGrant = async () => {
          const grant = await handle.executeUpdate(getAccessTokenUpdate, { args: [{}] });
          const { lastRefreshAt } = await handle.query(connectionStatusQuery);
          const lifetime = grant.expiresAt - Date.parse(lastRefreshAt!);
          assert.equal(grant.refreshAt, grant.expiresAt - Math.min(marginMs, Math.floor(lifetime / 2)));
          return grant;
        };
        // Each session has a token cache of its own, as each worker process does.
        const workers = Array.from({ length: 4 }, () => activitiesFor().portal(portalId));
        const cycles = 4;
        const before = sandbox.counters();
        let current = await currentGrant();
        let callsBefore = 0;
        let callsAfter = 0;
        for (let cycle = 1; cycle <= cycles; cycle += 1) {
          const due = current.refreshAt;
          const refreshedOnce = () => sandbox.counters().refreshes - before.refreshes >= cycle;
          // Every worker calls HubSpot again and again until the refresh has happened, then once more: calls land
          // on both sides of the refresh instant, whenever the loaded machine lets them run.
          await Promise.all(
            workers.map(async (worker) => {
              for (let last = false; !last;) {
                last = refreshedOnce();
                if (Date.now() < due) callsBefore += 1;
                else callsAfter += 1;
                await worker.contacts.getByEmail('nobody@example.com');
              }
            }),
          );
          const refreshed = await eventually(
            async () => {
              const s = await handle.query(connectionStatusQuery);
              return s.state === 'connected' && Date.parse(s.expiresAt!) > current.expiresAt ? s : undefined;
            },
            { what: `the refresh of cycle ${cycle}` },
          );
          current = await currentGrant();
          assert.equal(current.expiresAt, Date.parse(refreshed.expiresAt!), `no second token in cycle ${cycle}`);
          assert.equal(sandbox.counters().refreshes - before.refreshes, cycle, `refreshes after cycle ${cycle}`);
        }
        const after = sandbox.counters();
        assert.equal(after.refreshes - before.refreshes, cycles, 'one refresh per expiry');
        assert.equal(after.expiredTokenUses - before.expiredTokenUses, 0, 'no call used an expired token');
        assert.ok(callsBefore >= cycles && callsAfter >= cycles, `calls before: ${callsBefore}, after: ${callsAfter}`);
        await handle.terminate('test over');
      });
    });
  }

  it('serves 50 concurrent getAccessToken calls with exactly one refresh', async () => {
    // Tokens that live a minute, so the only refresh is the one the stale start forces.
    await sandbox.close();
    sandbox = await openSandbox(60);
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
        Array.from({ length: 50 }, () => handle.executeUpdate(getAccessTokenUpdate, { args: [{}] })),
      );
      assert.equal(sandbox.counters().refreshes - before, 1);
      assert.equal(new Set(grants.map((g) => g.accessToken)).size, 1);
      assert.notEqual(grants[0]!.accessToken, 'stale-token');
      await handle.terminate('test over');
    });
  });

  it("reuses a worker's cached token until the grant's refreshAt and asks the connection from then on", async () => {
    // Minute-long tokens, so the connection's own clock stays far from the refresh instant the worker's clock reaches.
    await sandbox.close();
    sandbox = await openSandbox(60);
    const { activities } = activitiesFor();
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      const connected = await connect(taskQueue, portalId, { refreshToken: sandbox.issueRefreshToken() });
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const updatesSeen = async () => {
        const { events } = await handle.fetchHistory();
        return (events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      };
      let clock = Date.now();
      const provider = connectionTokenProvider({ client: env.client, portalId, now: () => clock });
      const token = await provider.getAccessToken();
      const asked = await updatesSeen();
      const refreshes = sandbox.counters().refreshes;
      // A minute of life and a 1-second margin: the margin decides.
      const refreshAt = Date.parse(connected.expiresAt!) - 1_000;

      clock = refreshAt - 1;
      assert.equal(await provider.getAccessToken(), token);
      assert.equal(await updatesSeen(), asked, 'a fresh cached grant is used without asking');

      clock = refreshAt;
      assert.equal(await provider.getAccessToken(), token, "by the connection's clock the token is still fresh");
      assert.equal(await updatesSeen(), asked + 1, 'from refreshAt on, the connection decides');
      assert.equal(sandbox.counters().refreshes, refreshes);
      await handle.terminate('test over');
    });
  });

  it('goes to needs_reauth after one call on a refusal no retry can fix (a wrong client secret)', async () => {
    const { activities } = activitiesFor('not-the-client-secret');
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      const before = sandbox.counters().tokenEndpointCalls;
      // Expired tokens, so the first request for one must refresh.
      await connect(taskQueue, portalId, {
        tokens: {
          accessToken: 'stale-token',
          refreshToken: sandbox.issueRefreshToken(),
          expiresAt: Date.now() - 1_000,
        },
      });
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      await assert.rejects(
        handle.executeUpdate(getAccessTokenUpdate, { args: [{}] }),
        (err: unknown) =>
          err instanceof WorkflowUpdateFailedError && /needs re-authorization/.test(String(err.cause?.message)),
      );
      const status = await handle.query(connectionStatusQuery);
      assert.equal(status.state, 'needs_reauth');
      assert.match(status.lastError ?? '', /client_secret/);
      assert.equal(status.consecutiveFailures, 0);
      assert.equal(sandbox.counters().tokenEndpointCalls - before, 1, 'a permanent refusal is not retried');
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

  it('keeps serving a token that still works while its refresh retries through an outage of the token endpoint', async () => {
    // 40-second tokens: due for refresh after 20 s. Once the first refresh attempt has failed (its activity tries
    // twice), more than the 10 s an outage grant lasts is left, with room to spare on a loaded machine.
    await sandbox.close();
    sandbox = await openSandbox(40);
    const { activities } = activitiesFor();
    await withWorker(env, { activities }, async ({ taskQueue }) => {
      const portalId = newPortal();
      await connect(taskQueue, portalId, { refreshToken: sandbox.issueRefreshToken() }, 60_000);
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const first = await handle.executeUpdate(getAccessTokenUpdate, { args: [{}] });
      sandbox.faults.failNext({ route: 'oauth.token', status: 503, count: 1_000 });
      await eventually(async () => (await handle.query(connectionStatusQuery)).consecutiveFailures >= 1, {
        what: 'the refresh to start failing',
        timeoutMs: 40_000,
      });
      const during = await handle.executeUpdate(getAccessTokenUpdate, { args: [{}] });
      const now = Date.now();
      assert.equal(during.accessToken, first.accessToken, 'the old token still serves');
      assert.ok(during.refreshAt > now - 1_000 && during.refreshAt <= now + 10_000, 'for a short while at a time');
      assert.ok(during.refreshAt < during.expiresAt, 'never past its expiry');
      sandbox.faults.reset();
      const recovered = await eventually(
        async () => {
          const grant = await handle.executeUpdate(getAccessTokenUpdate, { args: [{}] });
          return grant.accessToken !== first.accessToken ? grant : undefined;
        },
        { what: 'a new token after the outage', timeoutMs: 40_000 },
      );
      assert.ok(recovered.expiresAt > first.expiresAt);
      assert.equal(sandbox.counters().expiredTokenUses, 0);
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
