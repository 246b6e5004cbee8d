import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { changeFeedWorkflowId, leadWorkflowId } from '../../src/shared/ids.js';
import type { LeadState } from '../../src/shared/lead-types.js';
import type { InboundChange } from '../../src/shared/change-types.js';
import { changeFeedQuery, inboundChangesSignal } from '../../src/shared/messages.js';
import { hubspotChanges } from '../../src/workflows/hubspot-changes.js';
import { BackendReceiver } from '../helpers/backend-receiver.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';
import { insideHubSpot, jsonApi, oneDelivery } from '../helpers/two-way.js';
import { connectTemporal } from '../helpers/temporal.js';

const SECRET = 'backend-webhook-secret-0123456789';

describe('two-way sync: changes made inside HubSpot reach the backend through signed webhooks', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService;
  let backend: BackendReceiver;
  let api: ReturnType<typeof jsonApi>;
  let crm: ReturnType<typeof jsonApi>;

  before(async () => {
    ({ env, close } = await connectTemporal());
    backend = await BackendReceiver.start(SECRET);
    service = await startTestService({
      temporalAddress: env.address,
      env: { LEADSYNC_BACKEND_WEBHOOK_URL: backend.url, LEADSYNC_BACKEND_WEBHOOK_SECRET: SECRET },
      sandbox: { webhooks: { batchWindowMs: 20 } },
    });
    api = jsonApi(service.httpUrl);
    crm = insideHubSpot(service.sandbox!.baseUrl);
  });
  after(async () => {
    await service?.stop();
    await backend?.close();
    await close();
  });

  const portalId = () => service.portalId()!;
  const state = async (email: string) => (await api.get<LeadState>(`v1/leads/${email}`)).body;
  const feed = () => env.client.workflow.getHandle(changeFeedWorkflowId(portalId())).query(changeFeedQuery);

  /** Every webhook the sandbox had to send is in, routed, and applied by the lead: what is delivered by now is all. */
  const settled = async (email: string) => {
    await service.sandbox!.webhooks.idle();
    await eventually(
      async () => {
        const f = await feed();
        return f.backlog === 0 && f.received === f.routed + f.unrouted;
      },
      { what: 'the change feed to route everything it received' },
    );
    return eventually(
      async () => {
        const s = await state(email);
        return s.pending.length === 0 && s.deliveries.pending.length === 0 && s;
      },
      { what: `${email} to apply and deliver everything` },
    );
  };

  const registered = async (email: string, properties: Record<string, string>) => {
    assert.equal((await api.post('v1/leads', { json: { email, properties } })).statusCode, 202);
    return eventually(
      async () => {
        const s = await state(email);
        return s.status === 'synced' && s.hubspotId !== undefined && s;
      },
      { what: `${email} to reach HubSpot` },
    );
  };

  it('an edit, an email-footer unsubscribe and a delete made in HubSpot reach the backend once each, signed; our own writes none', async () => {
    const email = 'ada@example.com';
    const lead = await registered(email, { firstname: 'Ada' });
    await settled(email);
    assert.equal(backend.received.length, 0, 'the service’s own create is no change from HubSpot');
    assert.equal((await feed()).received, 0, 'HubSpot named this app as the source: dropped before any routing');

    assert.equal((await crm.patch(lead.hubspotId!, { json: { properties: { firstname: 'Grace' } } })).statusCode, 200);
    const [updated] = await eventually(
      () => backend.ofType('lead.updated', email).length === 1 && backend.ofType('lead.updated', email),
      {
        what: 'the edit to reach the backend',
      },
    );
    assert.deepEqual(updated!.changes, { firstname: 'Grace' });
    assert.equal(updated!.portalId, portalId());
    assert.equal(updated!.hubspotId, lead.hubspotId);
    assert.equal(updated!.source, 'hubspot');
    assert.ok(!Number.isNaN(Date.parse(updated!.occurredAt)));
    const afterEdit = await settled(email);
    assert.equal(afterEdit.properties.firstname, 'Grace');
    assert.equal(afterEdit.hubspot.properties.firstname, 'Grace');

    assert.equal((await crm.post(`${lead.hubspotId}/unsubscribe`, { json: {} })).statusCode, 200);
    const unsubscribed = await oneDelivery(backend, 'lead.unsubscribed', email);
    assert.equal(unsubscribed.changes.hs_email_optout, 'true');
    const afterUnsubscribe = await settled(email);
    assert.equal(afterUnsubscribe.subscription.unsubscribedFromAll, true);
    assert.equal(afterUnsubscribe.hubspot.subscription.unsubscribedFromAll, true);

    // The backend writes on: that never resubscribes the person who opted out in HubSpot.
    assert.equal(
      (await api.patch(`v1/leads/${email}`, { json: { properties: { lastname: 'Lovelace' } } })).statusCode,
      202,
    );
    const afterUpdate = await eventually(async () => {
      const s = await state(email);
      return s.properties.lastname === 'Lovelace' && s.status === 'synced' && s;
    });
    assert.equal(afterUpdate.subscription.unsubscribedFromAll, true);
    assert.equal(service.sandbox!.subscriptionStatus(email).unsubscribedFromAll, true);
    // Nor does a resubscribe without a legal basis: it fails, naming the field, and HubSpot is not called.
    assert.equal((await api.post(`v1/leads/${email}/resubscribe`, { json: {} })).statusCode, 202);
    const refused = await eventually(async () => {
      const s = await state(email);
      return s.failed.length === 1 && s;
    });
    assert.equal(refused.failed[0]!.errorType, 'InvalidInput');
    assert.match(refused.failed[0]!.message, /legalBasis/);
    assert.equal(service.sandbox!.subscriptionStatus(email).unsubscribedFromAll, true);

    assert.equal((await crm.delete(lead.hubspotId!)).statusCode, 204);
    const deleted = await oneDelivery(backend, 'lead.deleted', email);
    assert.equal(deleted.gdpr, false);
    const final = await settled(email);
    assert.equal(final.hubspot.deleted, true);

    const mine = backend.received.filter((r) => r.delivery.email === email);
    assert.deepEqual(mine.map((r) => r.delivery.type).sort(), ['lead.deleted', 'lead.unsubscribed', 'lead.updated']);
    assert.ok(
      mine.every((r) => r.signed),
      'every delivery carries a valid LeadSync-Signature',
    );
    assert.equal(new Set(mine.map((r) => r.delivery.id)).size, 3);
    assert.equal(final.deliveries.delivered, 3);
  });

  it('forged, stale and tampered webhooks are refused with 401 and change nothing; a replayed one is dropped', async () => {
    const email = 'bea@example.com';
    const lead = await registered(email, { firstname: 'Bea' });
    await settled(email);
    const before = await feed();
    const url = `${service.httpUrl}/hubspot/webhooks`;
    const body = JSON.stringify([
      {
        eventId: 900_001,
        subscriptionId: 5,
        portalId: Number(portalId()),
        appId: service.sandbox!.appId,
        occurredAt: Date.now(),
        subscriptionType: 'contact.propertyChange',
        attemptNumber: 0,
        objectId: Number(lead.hubspotId),
        propertyName: 'firstname',
        propertyValue: 'Genuine',
        changeSource: 'CRM_UI',
      },
    ]);
    const sign = (secret: string, timestamp: number, signed = body) =>
      createHmac('sha256', secret).update(`POST${url}${signed}${timestamp}`).digest('base64');
    const send = (headers: Record<string, string>, sent = body) =>
      got.post(url, {
        body: sent,
        headers: { 'content-type': 'application/json', ...headers },
        throwHttpErrors: false,
        retry: { limit: 0 },
      });
    const now = Date.now();
    const secret = service.sandbox!.clientSecret;
    const refusals = [
      await send({}),
      await send({
        'x-hubspot-signature-v3': sign('not-the-client-secret', now),
        'x-hubspot-request-timestamp': String(now),
      }),
      await send({
        'x-hubspot-signature-v3': sign(secret, now - 6 * 60_000),
        'x-hubspot-request-timestamp': String(now - 6 * 60_000),
      }),
      await send(
        { 'x-hubspot-signature-v3': sign(secret, now), 'x-hubspot-request-timestamp': String(now) },
        body.replace('Genuine', 'Tampered'),
      ),
    ];
    assert.deepEqual(
      refusals.map((r) => r.statusCode),
      [401, 401, 401, 401],
    );
    assert.equal((await feed()).received, before.received, 'nothing refused reached Temporal');
    assert.equal((await state(email)).properties.firstname, 'Bea');

    // A body past the limit is refused before anything is read into Temporal, in the API's error shape.
    const huge = JSON.stringify([{ padding: 'x'.repeat(1024 * 1024) }]);
    const tooLarge = await send(
      { 'x-hubspot-signature-v3': sign(secret, now, huge), 'x-hubspot-request-timestamp': String(now) },
      huge,
    );
    assert.equal(tooLarge.statusCode, 413);
    assert.equal((JSON.parse(tooLarge.body) as { error: string }).error, 'body_too_large');
    assert.equal((await feed()).received, before.received);

    const genuine = { 'x-hubspot-signature-v3': sign(secret, now), 'x-hubspot-request-timestamp': String(now) };
    const first = await send(genuine);
    assert.equal(first.statusCode, 200);
    assert.deepEqual(JSON.parse(first.body), { accepted: 1, echoes: 0, ignored: 0 });
    await eventually(() => backend.ofType('lead.updated', email).length === 1);
    // HubSpot retries what it thinks failed: the same request again is acknowledged, and the lead drops it.
    assert.equal((await send(genuine)).statusCode, 200);
    const after = await settled(email);
    assert.equal(backend.received.filter((r) => r.delivery.email === email).length, 1);
    assert.equal(after.properties.firstname, 'Genuine');
    assert.equal((await feed()).received, before.received + 2);
  });

  it('a delivery the backend fails twice arrives on the third try; one it refuses waits for retry-failed', async () => {
    const email = 'cy@example.com';
    const lead = await registered(email, { firstname: 'Cy' });
    await settled(email);

    backend.answerNext(500, 503);
    await crm.patch(lead.hubspotId!, { json: { properties: { jobtitle: 'Engineer' } } });
    const retried = await oneDelivery(backend, 'lead.updated', email);
    const attempts = backend.received.filter((r) => r.delivery.id === retried.id);
    assert.deepEqual(
      attempts.map((r) => r.status),
      [500, 503, 200],
    );

    backend.answerNext(422);
    await crm.patch(lead.hubspotId!, { json: { properties: { jobtitle: 'Architect' } } });
    const failed = await eventually(async () => {
      const s = await state(email);
      return s.deliveries.failed.length === 1 && s;
    });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.deliveries.failed[0]!.errorType, 'BackendRejected');
    assert.deepEqual(failed.deliveries.failed[0]!.delivery.changes, { jobtitle: 'Architect' });

    assert.equal((await api.post(`v1/leads/${email}/retry-failed`, { json: {} })).statusCode, 202);
    const repaired = await eventually(async () => {
      const s = await state(email);
      return s.deliveries.failed.length === 0 && s.deliveries.pending.length === 0 && s;
    });
    assert.equal(repaired.status, 'synced');
    assert.equal(backend.ofType('lead.updated', email).length, 2);
  });

  it('a privacy deletion in HubSpot tells the backend, then the lead forgets everything and ends', async () => {
    const email = 'dee@example.com';
    const lead = await registered(email, { firstname: 'Dee' });
    await settled(email);
    assert.equal((await crm.post(`${lead.hubspotId}/gdpr-delete`)).statusCode, 204);
    const [gdpr] = await eventually(() => {
      const found = backend.ofType('lead.deleted', email).filter((d) => d.gdpr === true);
      return found.length === 1 && found;
    });
    assert.equal(gdpr!.hubspotId, lead.hubspotId);
    const handle = env.client.workflow.getHandle(leadWorkflowId(portalId(), email));
    await eventually(async () => (await handle.describe()).status.name === 'COMPLETED', {
      what: 'the lead workflow to end',
    });
    const forgotten = await state(email);
    assert.equal(forgotten.deleted, true);
    assert.deepEqual(forgotten.properties, {});
    assert.equal(forgotten.hubspotId, undefined);
    assert.deepEqual(forgotten.deliveries.pending, []);
  });

  it('the change feed continues as new with its backlog and routes every change across runs', async () => {
    const email = 'eve@example.com';
    const lead = await registered(email, { firstname: 'Eve' });
    await settled(email);
    // A feed of the same portal, with a history limit small enough to cross several times.
    const workflowId = `hubspot-changes-can-${Date.now()}`;
    const change = (i: number): InboundChange => ({
      eventId: `hubspot:can:${i}`,
      change: {
        type: 'properties',
        contactId: lead.hubspotId!,
        properties: { jobtitle: `Role ${i}` },
        occurredAt: Date.now() + i,
        source: 'CRM_UI',
      },
    });
    const feedHandle = await env.client.workflow.start(hubspotChanges, {
      workflowId,
      taskQueue: service.taskQueue,
      args: [{ portalId: portalId(), settings: { deliver: true }, continueAsNewAfterEvents: 25 }],
    });
    for (let i = 1; i <= 12; i++) await feedHandle.signal(inboundChangesSignal, { changes: [change(i)] });
    await eventually(() => backend.received.filter((r) => r.delivery.email === email).length === 12, {
      what: 'all 12 changes delivered',
    });
    const final = await settled(email);
    assert.equal(final.properties.jobtitle, 'Role 12');
    const runs: string[] = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      runs.push(run.status.name);
    assert.ok(runs.filter((r) => r === 'CONTINUED_AS_NEW').length >= 1, `runs: ${runs.join(', ')}`);
    await feedHandle.terminate('test over');
  });
});
