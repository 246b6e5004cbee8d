import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { changeFeedWorkflowId } from '../../src/shared/ids.js';
import type { LeadState } from '../../src/shared/lead-types.js';
import { changeFeedQuery } from '../../src/shared/messages.js';
import { BackendReceiver } from '../helpers/backend-receiver.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';
import { insideHubSpot, jsonApi, oneDelivery } from '../helpers/two-way.js';
import { connectTemporal } from '../helpers/temporal.js';

const SECRET = 'backend-webhook-secret-for-polling';

describe('two-way sync by polling, for a static token (no webhooks)', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;
  let service: TestService;
  let backend: BackendReceiver;
  let api: ReturnType<typeof jsonApi>;
  let crm: ReturnType<typeof jsonApi>;

  before(async () => {
    ({ env, close } = await connectTemporal());
    sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e9) });
    backend = await BackendReceiver.start(SECRET);
    service = await startTestService({
      temporalAddress: env.address,
      env: {
        HUBSPOT_ACCESS_TOKEN: sandbox.staticToken,
        HUBSPOT_BASE_URL: sandbox.baseUrl,
        LEADSYNC_HUBSPOT_POLL_INTERVAL_MS: '300',
        // The sandbox's search has no lag to wait out.
        LEADSYNC_HUBSPOT_POLL_SETTLE_MS: '0',
        LEADSYNC_BACKEND_WEBHOOK_URL: backend.url,
        LEADSYNC_BACKEND_WEBHOOK_SECRET: SECRET,
      },
    });
    api = jsonApi(service.httpUrl);
    crm = insideHubSpot(sandbox.baseUrl);
  });
  after(async () => {
    await service?.stop();
    await backend?.close();
    await sandbox?.close();
    await close();
  });

  const state = async (email: string) => (await api.get<LeadState>(`v1/leads/${email}`)).body;
  const feed = () =>
    env.client.workflow.getHandle(changeFeedWorkflowId(String(sandbox.portalId))).query(changeFeedQuery);
  /** A full poll cycle that started after now has ended: whatever HubSpot held by now was seen and routed. */
  const polledPastNow = async () => {
    const start = (await feed()).polls;
    await eventually(async () => (await feed()).polls >= start + 2, { what: 'two more polls' });
  };
  const registered = async (emails: string[]) => {
    for (const email of emails) {
      assert.equal((await api.post('v1/leads', { json: { email, properties: { firstname: 'Reg' } } })).statusCode, 202);
    }
    return Promise.all(
      emails.map((email) =>
        eventually(async () => {
          const s = await state(email);
          return s.status === 'synced' && s.hubspotId !== undefined && s;
        }),
      ),
    );
  };

  it('sees an edit and an unsubscribe made in HubSpot, and none of its own writes', async () => {
    const email = 'poll-ada@example.com';
    const [lead] = await registered([email]);
    await polledPastNow();
    await eventually(async () => (await state(email)).pending.length === 0);
    assert.equal(backend.received.length, 0, 'polling reports the service’s own write as no change');

    await crm.patch(lead!.hubspotId!, { json: { properties: { lastname: 'Lovelace' } } });
    const updated = await oneDelivery(backend, 'lead.updated', email);
    assert.deepEqual(updated.changes, { lastname: 'Lovelace' });
    assert.equal(updated.hubspotId, lead!.hubspotId);

    await crm.post(`${lead!.hubspotId}/unsubscribe`, { json: {} });
    const unsubscribed = await oneDelivery(backend, 'lead.unsubscribed', email);
    assert.deepEqual(unsubscribed.changes, { hs_email_optout: 'true' });
    await polledPastNow();
    const s = await state(email);
    assert.equal(s.subscription.unsubscribedFromAll, true);
    assert.equal(s.hubspot.properties.lastname, 'Lovelace');
    assert.equal(backend.received.filter((r) => r.delivery.email === email).length, 2, 'each change once');
    assert.ok(backend.received.every((r) => r.signed));
  });

  it('sees every contact of one batch write, though they share one lastmodifieddate', async () => {
    const emails = ['tie-a@example.com', 'tie-b@example.com', 'tie-c@example.com'];
    await registered(emails);
    await polledPastNow();
    // Another integration rewrites all three in one batch: one timestamp for all of them.
    const res = await got.post(`${sandbox.baseUrl}/crm/v3/objects/contacts/batch/upsert`, {
      headers: { authorization: `Bearer ${sandbox.staticToken}` },
      json: { inputs: emails.map((id) => ({ id, idProperty: 'email', properties: { company: 'Tied Ltd' } })) },
      responseType: 'json',
    });
    assert.equal(res.statusCode, 200);
    const stamps = new Set(emails.map((e) => sandbox.contacts.byEmail(e)!.properties.lastmodifieddate));
    assert.equal(stamps.size, 1);
    for (const email of emails) {
      const delivery = await oneDelivery(backend, 'lead.updated', email);
      assert.deepEqual(delivery.changes, { company: 'Tied Ltd' });
    }
    const f = await feed();
    assert.ok(f.searchCalls >= f.polls - 1, 'one search or more per poll after the first');
  });
});
