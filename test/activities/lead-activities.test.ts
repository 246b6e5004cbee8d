import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createLeadActivities } from '../../src/activities/leads.js';
import { createHubSpotClient } from '../../src/hubspot/index.js';
import { createBatchWrites } from '../../src/portals/batch-writes.js';
import { trackingTokens } from '../../src/portals/portal-auth.js';
import type { PortalSession } from '../../src/portals/portal-session.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { validationErrorBody } from '../helpers/hubspot-answers.js';

describe('lead activities over the real HubSpot client and the sandbox', () => {
  let sandbox: Sandbox;
  let portal: Omit<PortalSession, 'upsert'>;
  /** The portal's sessions as a worker builds them: one session, so one batcher, for every activity call. */
  const sessions = (batchWaitMs: number): (() => PortalSession) => {
    const session = { ...portal, upsert: createBatchWrites(portal, { batchWaitMs }) };
    return () => session;
  };

  before(async () => {
    sandbox = await startSandbox({ rateLimit: false });
    const tokens = trackingTokens({
      getAccessToken: () => Promise.resolve(sandbox.staticToken),
      forceRefresh: () => Promise.resolve(),
      reportAuthFailure: () => Promise.resolve(),
    });
    const hubspot = createHubSpotClient({ baseUrl: sandbox.baseUrl, tokenProvider: tokens, timeoutMs: 5_000 });
    portal = {
      portalId: String(sandbox.portalId),
      contacts: hubspot.contacts,
      subscriptions: hubspot.subscriptions,
      tokens,
      budget: hubspot.budget,
    };
  });
  after(async () => sandbox?.close());

  it('coalesces concurrent leads into one batch upsert', async () => {
    const activities = createLeadActivities({ portal: sessions(50) });
    const before = sandbox.counters().requestsByRoute['contacts.batchUpsert'] ?? 0;
    const env = new MockActivityEnvironment();
    type Upserted = Awaited<ReturnType<typeof activities.upsertContact>>;
    const results: Upserted[] = await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        env.run<[Parameters<typeof activities.upsertContact>[0]], Upserted, typeof activities.upsertContact>(
          (input: Parameters<typeof activities.upsertContact>[0]) => activities.upsertContact(input),
          {
            portalId: portal.portalId,
            email: `${n}-batch@example.com`,
            properties: { firstname: n },
          },
        ),
      ),
    );
    assert.equal(results.length, 3);
    assert.equal((sandbox.counters().requestsByRoute['contacts.batchUpsert'] ?? 0) - before, 1);
    assert.deepEqual(
      results.map((r) => r.properties.firstname),
      ['a', 'b', 'c'],
    );
  });

  it('when HubSpot rejects a whole batch, splits it until only the bad lead fails, in a few calls', async () => {
    const activities = createLeadActivities({ portal: sessions(50) });
    sandbox.faults.failNext({
      route: 'contacts.batchUpsert',
      status: 400,
      body: validationErrorBody,
    });
    const env = new MockActivityEnvironment();
    const outcomes = await Promise.allSettled([
      env.run((input: Parameters<typeof activities.upsertContact>[0]) => activities.upsertContact(input), {
        portalId: portal.portalId,
        email: 'good-1@example.com',
        properties: { firstname: 'Good' },
      }),
      env.run((input: Parameters<typeof activities.upsertContact>[0]) => activities.upsertContact(input), {
        portalId: portal.portalId,
        email: 'bad@example.com',
        properties: { no_such_property: 'x' },
      }),
      env.run((input: Parameters<typeof activities.upsertContact>[0]) => activities.upsertContact(input), {
        portalId: portal.portalId,
        email: 'good-2@example.com',
        properties: { firstname: 'Good' },
      }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const rejected = outcomes[1] as PromiseRejectedResult;
    assert.equal((rejected.reason as { type?: string }).type, 'HubSpotValidation');
    assert.equal((rejected.reason as { nonRetryable?: boolean }).nonRetryable, true);
    assert.ok(sandbox.contacts.byEmail('good-1@example.com'));
    assert.ok(sandbox.contacts.byEmail('good-2@example.com'));
    assert.equal(sandbox.contacts.byEmail('bad@example.com'), undefined);
  });

  it('finds one bad lead among 16 in at most 1 + 2 × log2(16) batch calls, not one per lead', async () => {
    const activities = createLeadActivities({ portal: sessions(50) });
    const before = sandbox.counters().requestsByRoute['contacts.batchUpsert'] ?? 0;
    const env = new MockActivityEnvironment();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => {
        const properties: Record<string, string> = i === 11 ? { no_such_property: 'x' } : { firstname: `S${i}` };
        return env.run((input: Parameters<typeof activities.upsertContact>[0]) => activities.upsertContact(input), {
          portalId: portal.portalId,
          email: `split-${i}@example.com`,
          properties,
        });
      }),
    );
    assert.deepEqual(
      outcomes.map((o, i) => [i, o.status]).filter(([, status]) => status === 'rejected'),
      [[11, 'rejected']],
    );
    const calls = (sandbox.counters().requestsByRoute['contacts.batchUpsert'] ?? 0) - before;
    assert.ok(calls <= 9, `${calls} batch calls`);
  });
});
