import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LeadState } from '../../src/shared/lead-types.js';
import { connectTemporal } from '../helpers/temporal.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';

/** Many leads at once through the backend client, then the proof: HubSpot has each exactly once, with its final values. */
async function syncLeads(service: TestService, count: number, prefix: string): Promise<string[]> {
  const leads = service.leads();
  const emails = Array.from({ length: count }, (_, i) => `${prefix}-${i}@example.com`);
  await Promise.all(
    emails.map(async (email, i) => {
      await leads.register({ email, properties: { firstname: `First ${i}`, lastname: 'Initial' } });
      await leads.update({ email, properties: { lastname: `Final ${i}`, jobtitle: `job-${i}` } });
    }),
  );
  return emails;
}

async function assertAllInHubSpotOnce(service: TestService, emails: string[]): Promise<void> {
  const sandbox = service.sandbox!;
  await eventually(
    () =>
      Promise.resolve(
        emails.every((email, i) => sandbox.contacts.byEmail(email)?.properties.lastname === `Final ${i}`),
      ),
    { timeoutMs: 180_000, what: `${emails.length} leads to reach their final values in the sandbox` },
  );
  const wanted = new Set(emails);
  const contacts = sandbox.contacts.all().filter((c) => wanted.has(c.properties.email ?? ''));
  assert.equal(contacts.length, emails.length, 'exactly one contact per lead');
  emails.forEach((email, i) => {
    const contact = sandbox.contacts.byEmail(email)!;
    assert.equal(contact.properties.firstname, `First ${i}`);
    assert.equal(contact.properties.jobtitle, `job-${i}`);
  });
  const states = await Promise.all(emails.map((email) => service.leads().status(email)));
  const failed = states.filter((s): s is LeadState => !!s && s.failed.length > 0);
  assert.deepEqual(
    failed.map((s) => s.failed),
    [],
    'no lead recorded a failed event',
  );
}

describe('lead sync through HubSpot failures', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService | undefined;

  before(async () => ({ env, close } = await connectTemporal()));
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });
  after(async () => close());

  it('200 leads end in HubSpot exactly once with their final values while 20% of calls fail and 5% of writes lose their answer', async () => {
    service = await startTestService({ temporalAddress: env.address });
    service.sandbox!.faults.set({ errorRate: 0.2, dropAfterWriteRate: 0.05 });
    // Batching leaves few requests to roll the dice on, so a couple of each fault are certain, not just likely.
    service.sandbox!.faults.dropNext({ route: 'contacts.batchUpsert', count: 2 });
    service.sandbox!.faults.failNext({ route: 'contacts.batchUpsert', status: 503, count: 2 });
    const emails = await syncLeads(service, 200, 'chaos');
    await assertAllInHubSpotOnce(service, emails);
    const counters = service.sandbox!.counters();
    assert.ok(counters.injectedErrors > 0, 'errors were injected');
    assert.ok(counters.dropped > 0, 'answers were dropped after writes');
  });

  it('completes everything under a 429 storm', async () => {
    service = await startTestService({
      temporalAddress: env.address,
      sandbox: { rateLimit: { max: 5, intervalMs: 1_000 } },
    });
    service.sandbox!.faults.failNext({
      route: 'contacts.batchUpsert',
      status: 429,
      count: 15,
      body: {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
        correlationId: 'storm',
      },
    });
    const emails = await syncLeads(service, 60, 'storm');
    await assertAllInHubSpotOnce(service, emails);
    const counters = service.sandbox!.counters();
    assert.ok(
      counters.rateLimited + counters.injectedErrors >= 15,
      `429s seen: ${counters.rateLimited} + ${counters.injectedErrors} injected`,
    );
  });

  it('an access token expiring mid-run costs nothing: no failed event, one quick refresh', async () => {
    service = await startTestService({ temporalAddress: env.address });
    const sandbox = service.sandbox!;
    const first = await syncLeads(service, 20, 'before-expiry');
    await assertAllInHubSpotOnce(service, first);
    const before = sandbox.counters();
    sandbox.expireAllAccessTokens();
    const second = await syncLeads(service, 20, 'after-expiry');
    await assertAllInHubSpotOnce(service, second);
    const after = sandbox.counters();
    assert.ok(after.expiredTokenUses > before.expiredTokenUses, 'the expired token was used and rejected');
    assert.ok(
      after.refreshes - before.refreshes >= 1 && after.refreshes - before.refreshes <= 3,
      `refreshes: ${after.refreshes - before.refreshes}`,
    );
  });
});
