import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import type { LeadState } from '../../src/shared/lead-types.js';
import { leadWorkflowId } from '../../src/shared/ids.js';
import { connectTemporal } from '../helpers/temporal.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

describe('lead sync over the HTTP API, end to end', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService;
  let api: typeof got;

  before(async () => {
    ({ env, close } = await connectTemporal());
    service = await startTestService({ temporalAddress: env.address });
    api = got.extend({ prefixUrl: service.httpUrl, throwHttpErrors: false, responseType: 'json', retry: { limit: 0 } });
  });
  after(async () => {
    await service?.stop();
    await close();
  });

  const email = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const sandbox = () => service.sandbox!;

  const settled = (address: string, predicate: (s: LeadState) => boolean = () => true) =>
    eventually(
      async () => {
        const res = await api.get<LeadState>(`v1/leads/${encodeURIComponent(address)}`);
        return res.statusCode === 200 &&
          res.body.pending.length === 0 &&
          res.body.status !== 'pending' &&
          predicate(res.body)
          ? res.body
          : undefined;
      },
      { what: `lead ${address} to settle` },
    );

  it('register creates the contact with its properties and answers 202 with the workflow id', async () => {
    const address = email('Register');
    const res = await api.post<{ workflowId: string; eventId: string }>('v1/leads', {
      json: { email: address, properties: { firstname: 'Ada', lastname: 'Lovelace', company: 'Engines' } },
    });
    assert.equal(res.statusCode, 202);
    assert.equal(res.body.workflowId, leadWorkflowId(service.portalId()!, address));
    assert.ok(res.body.eventId);
    const state = await settled(address, (s) => s.hubspotId !== undefined);
    assert.equal(state.status, 'synced');
    const contact = sandbox().contacts.byEmail(address);
    assert.ok(contact, 'contact exists in the sandbox');
    assert.equal(contact.id, state.hubspotId);
    assert.equal(contact.properties.firstname, 'Ada');
    assert.equal(contact.properties.company, 'Engines');
    assert.equal(contact.properties.email, address.toLowerCase());
  });

  it('update merges into the existing contact', async () => {
    const address = email('update');
    await api.post('v1/leads', { json: { email: address, properties: { firstname: 'Grace', lastname: 'Hopper' } } });
    await settled(address, (s) => s.hubspotId !== undefined);
    const res = await api.patch(`v1/leads/${address}`, {
      json: { properties: { jobtitle: 'Rear Admiral', lastname: 'Murray Hopper' } },
    });
    assert.equal(res.statusCode, 202);
    await settled(address, (s) => s.properties.jobtitle === 'Rear Admiral');
    const contact = sandbox().contacts.byEmail(address)!;
    assert.equal(contact.properties.firstname, 'Grace');
    assert.equal(contact.properties.lastname, 'Murray Hopper');
    assert.equal(contact.properties.jobtitle, 'Rear Admiral');
    assert.equal(
      sandbox()
        .contacts.all()
        .filter((c) => c.properties.email === address).length,
      1,
    );
  });

  it('unsubscribes from one subscription, then from all email, then resubscribes', async () => {
    const address = email('subs');
    await api.post('v1/leads', { json: { email: address, properties: { firstname: 'Sub' } } });
    await settled(address, (s) => s.hubspotId !== undefined);
    const [first, second] = Object.keys(sandbox().subscriptionStatus(address).statuses).map(Number);
    const definitions = first !== undefined ? [first, second] : [];
    const subscriptionId = definitions[0] ?? 1;

    assert.equal(
      (
        await api.post(`v1/leads/${address}/unsubscribe`, {
          json: {
            subscriptionId: String(subscriptionId),
            legalBasis: 'CONSENT_WITH_NOTICE',
            legalBasisExplanation: 'asked by email',
          },
        })
      ).statusCode,
      202,
    );
    await settled(address, (s) => s.subscription.unsubscribed.includes(String(subscriptionId)));
    assert.equal(sandbox().subscriptionStatus(address).statuses[subscriptionId], 'UNSUBSCRIBED');
    assert.equal(sandbox().subscriptionStatus(address).unsubscribedFromAll, false);

    assert.equal((await api.post(`v1/leads/${address}/unsubscribe`, { json: {} })).statusCode, 202);
    await settled(address, (s) => s.subscription.unsubscribedFromAll);
    assert.equal(sandbox().subscriptionStatus(address).unsubscribedFromAll, true);

    assert.equal((await api.post(`v1/leads/${address}/resubscribe`, { json: {} })).statusCode, 202);
    const state = await settled(
      address,
      (s) => !s.subscription.unsubscribedFromAll && s.subscription.unsubscribed.length === 0,
    );
    assert.equal(state.failed.length, 0, JSON.stringify(state.failed));
    const after = sandbox().subscriptionStatus(address);
    assert.equal(after.unsubscribedFromAll, false);
    assert.equal(after.statuses[subscriptionId], 'SUBSCRIBED');
  });

  it('unsubscribe before register still ends with the contact unsubscribed', async () => {
    const address = email('early');
    await api.post(`v1/leads/${address}/unsubscribe`, { json: {} });
    await api.post('v1/leads', { json: { email: address, properties: { firstname: 'Early' } } });
    await settled(address, (s) => s.hubspotId !== undefined && s.subscription.unsubscribedFromAll);
    assert.ok(sandbox().contacts.byEmail(address));
    assert.equal(sandbox().subscriptionStatus(address).unsubscribedFromAll, true);
  });

  it('GDPR delete after register removes the contact', async () => {
    const address = email('forget');
    await api.post('v1/leads', { json: { email: address, properties: { firstname: 'Forget' } } });
    await settled(address, (s) => s.hubspotId !== undefined);
    assert.ok(sandbox().contacts.byEmail(address));
    assert.equal((await api.delete(`v1/leads/${address}`)).statusCode, 202);
    const state = await settled(address, (s) => s.deleted);
    assert.equal(state.hubspotId, undefined);
    assert.deepEqual(state.properties, {});
    assert.equal(sandbox().contacts.byEmail(address), undefined);
    assert.ok(sandbox().deletedEmails().includes(address.toLowerCase()));
  });

  it('applies the same event only once when it is sent twice', async () => {
    const address = email('dup');
    await api.post('v1/leads', { json: { email: address, properties: { firstname: 'Dup' } } });
    await settled(address, (s) => s.hubspotId !== undefined);
    const event = { properties: { city: 'Paris' }, eventId: 'evt-dup-1' };
    assert.equal((await api.patch(`v1/leads/${address}`, { json: event })).statusCode, 202);
    await settled(address, (s) => s.properties.city === 'Paris');
    await api.patch(`v1/leads/${address}`, { json: { properties: { city: 'Berlin' } } });
    await settled(address, (s) => s.properties.city === 'Berlin');
    // The duplicate of the first event arrives late: applying it again would move the lead back to Paris.
    assert.equal((await api.patch(`v1/leads/${address}`, { json: event })).statusCode, 202);
    await api.patch(`v1/leads/${address}`, { json: { properties: { country: 'DE' } } });
    const state = await settled(address, (s) => s.properties.country === 'DE');
    assert.equal(state.properties.city, 'Berlin');
    assert.equal(sandbox().contacts.byEmail(address)!.properties.city, 'Berlin');
    assert.equal(state.processedEvents, 4);
  });

  it('100 rapid updates to one lead end with the last values', async () => {
    const address = email('burst');
    await api.post('v1/leads', { json: { email: address, properties: { firstname: 'Burst' } } });
    for (let i = 1; i <= 100; i++) {
      const res = await api.patch(`v1/leads/${address}`, {
        json: { properties: { jobtitle: `title-${i}`, ...(i % 10 === 0 ? { city: `city-${i}` } : {}) } },
      });
      assert.equal(res.statusCode, 202);
    }
    const state = await settled(address, (s) => s.properties.jobtitle === 'title-100');
    assert.equal(state.properties.city, 'city-100');
    assert.equal(state.processedEvents, 101);
    const contact = sandbox().contacts.byEmail(address)!;
    assert.equal(contact.properties.jobtitle, 'title-100');
    assert.equal(contact.properties.city, 'city-100');
  });

  it('an unknown property becomes a failed event, visible in the API and the search attribute, and the next event still succeeds', async () => {
    const address = email('badprop');
    await api.post('v1/leads', { json: { email: address, properties: { firstname: 'Bad' } } });
    await settled(address, (s) => s.hubspotId !== undefined);
    await api.patch(`v1/leads/${address}`, { json: { properties: { no_such_property: 'x' }, eventId: 'evt-bad' } });
    const failed = await settled(address, (s) => s.failed.length === 1);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failed[0]!.event.eventId, 'evt-bad');
    assert.equal(failed.failed[0]!.errorType, 'HubSpotValidation');
    assert.match(failed.failed[0]!.message, /no_such_property/);

    const listed = await eventually(
      async () => {
        const runs = [];
        for await (const run of env.client.workflow.list({
          query: `LeadEmail = "${address.toLowerCase()}" AND LeadSyncStatus = "failed"`,
        }))
          runs.push(run);
        return runs.length > 0 ? runs : undefined;
      },
      { what: 'the failed lead to be listed by search attribute' },
    );
    assert.equal(listed[0]!.workflowId, leadWorkflowId(service.portalId()!, address));

    await api.patch(`v1/leads/${address}`, { json: { properties: { lastname: 'StillWorks' } } });
    const next = await settled(address, (s) => s.properties.lastname === 'StillWorks');
    assert.equal(sandbox().contacts.byEmail(address)!.properties.lastname, 'StillWorks');
    assert.equal(next.failed.length, 1);
  });

  it('rejects bad input with 400 naming the field, and loses nothing else', async () => {
    const bad = await api.post<{ issues: Array<{ field: string }> }>('v1/leads', {
      json: { email: 'not-an-email', properties: { firstname: { nested: true } } },
    });
    assert.equal(bad.statusCode, 400);
    const fields = bad.body.issues.map((i) => i.field);
    assert.ok(fields.includes('email'), JSON.stringify(bad.body));
    assert.ok(
      fields.some((f) => f.startsWith('properties')),
      JSON.stringify(bad.body),
    );
    const extra = await api.post<{ issues: Array<{ field: string; message: string }> }>('v1/leads', {
      json: { email: email('x'), propertiez: {} },
    });
    assert.equal(extra.statusCode, 400);
    assert.deepEqual(extra.body.issues, [{ field: 'propertiez', message: 'unknown field' }]);
    const notJson = await api.post('v1/leads', { body: '{"email":', headers: { 'content-type': 'application/json' } });
    assert.equal(notJson.statusCode, 400);
    const big = await api.post('v1/leads', {
      json: { email: email('big'), properties: { firstname: 'x'.repeat(300_000) } },
    });
    assert.equal(big.statusCode, 413);
    const good = email('afterbad');
    assert.equal(
      (await api.post('v1/leads', { json: { email: good, properties: { firstname: 'Fine' } } })).statusCode,
      202,
    );
    await settled(good, (s) => s.hubspotId !== undefined);
  });

  it('answers 404 for a lead it never saw', async () => {
    const res = await api.get(`v1/leads/${email('nobody')}`);
    assert.equal(res.statusCode, 404);
  });
});
