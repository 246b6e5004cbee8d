import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LeadState } from '../../src/shared/lead-types.js';
import { connectTemporal } from '../helpers/temporal.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';

const NOTHING_UNSUBSCRIBED = { unsubscribedFromAll: false, unsubscribed: [] };

describe('a lead registered again after a GDPR delete', () => {
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

  const sandbox = () => service.sandbox!;
  const settled = (address: string, predicate: (s: LeadState) => boolean) =>
    eventually(
      async () => {
        const res = await api.get<LeadState>(`v1/leads/${encodeURIComponent(address)}`);
        return res.statusCode === 200 && res.body.pending.length === 0 && predicate(res.body) ? res.body : undefined;
      },
      { what: `lead ${address} to settle` },
    );

  it('starts with none of the forgotten lead’s subscription state, here or in HubSpot', async () => {
    const address = `again-${Math.random().toString(36).slice(2, 8)}@example.com`;
    assert.equal(
      (await api.post('v1/leads', { json: { email: address, properties: { firstname: 'Ada' } } })).statusCode,
      202,
    );
    const first = await settled(address, (s) => s.hubspotId !== undefined);
    assert.equal((await api.post(`v1/leads/${address}/unsubscribe`, { json: {} })).statusCode, 202);
    await settled(address, (s) => s.subscription.unsubscribedFromAll);
    assert.equal(sandbox().subscriptionStatus(address).unsubscribedFromAll, true);

    assert.equal((await api.delete(`v1/leads/${address}`)).statusCode, 202);
    await eventually(() => sandbox().deletedEmails().includes(address), { what: 'the sandbox to forget the address' });

    assert.equal(
      (await api.post('v1/leads', { json: { email: address, properties: { lastname: 'Anew' } } })).statusCode,
      202,
    );
    const again = await settled(address, (s) => s.status === 'synced' && s.hubspotId !== undefined);
    assert.notEqual(again.hubspotId, first.hubspotId, 'a new contact');
    assert.equal(again.deleted, false);
    assert.deepEqual(again.properties, { lastname: 'Anew' });
    assert.deepEqual(again.subscription, NOTHING_UNSUBSCRIBED);
    assert.deepEqual(again.hubspot.subscription, NOTHING_UNSUBSCRIBED);
    assert.equal(again.processedEvents, 1, 'only the new register is this lead’s');
    assert.equal(sandbox().contacts.byEmail(address)?.id, again.hubspotId);
    assert.equal(sandbox().subscriptionStatus(address).unsubscribedFromAll, false);
  });
});
