import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, open } from './helpers.js';
import type { ActionResponse, PublicStatus, V3Status, V3Statuses, WideStatus } from './wire-types.js';

const V3 = '/communication-preferences/v3';
const DATED = '/communication-preferences/2026-03';
const MARKETING = 1001;
const SALES = 1002;

void describe('sandbox communication preferences', () => {
  let sandbox: Sandbox;
  let token: string;
  before(async () => {
    sandbox = await open({
      subscriptions: [
        { id: MARKETING, name: 'Marketing Information' },
        { id: SALES, name: 'One to One' },
      ],
    });
    token = sandbox.staticToken;
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  void describe('v3', () => {
    void it('lists the subscription definitions', async () => {
      const answer = await call<{ subscriptionDefinitions: Array<{ id: string; name: string }> }>(
        sandbox,
        'GET',
        `${V3}/definitions`,
        { token },
      );
      assert.equal(answer.statusCode, 200);
      assert.deepEqual(
        answer.body.subscriptionDefinitions.map((definition) => [definition.id, definition.name]),
        [
          [String(MARKETING), 'Marketing Information'],
          [String(SALES), 'One to One'],
        ],
      );
    });

    void it('unsubscribes, then answers 400 "already unsubscribed" on the second try', async () => {
      const request = {
        emailAddress: 'Lead@Example.com',
        subscriptionId: String(MARKETING),
        legalBasis: 'CONSENT_WITH_NOTICE',
      };
      const first = await call<V3Status>(sandbox, 'POST', `${V3}/unsubscribe`, { token, json: request });
      assert.equal(first.statusCode, 200);
      assert.equal(first.body.id, String(MARKETING));
      assert.equal(first.body.status, 'NOT_SUBSCRIBED');
      assert.equal(first.body.sourceOfStatus, 'SUBSCRIPTION_STATUS');

      const second = await call(sandbox, 'POST', `${V3}/unsubscribe`, { token, json: request });
      assert.equal(second.statusCode, 400);
      assert.equal(second.body.status, 'error');
      assert.equal(second.body.category, 'VALIDATION_ERROR');
      assert.equal(second.body.message, `lead@example.com is already unsubscribed from subscription ${MARKETING}`);
      assert.equal(sandbox.subscriptionStatus('lead@example.com').statuses[MARKETING], 'UNSUBSCRIBED');
    });

    void it('subscribes and reports the status per subscription', async () => {
      const subscribed = await call<V3Status>(sandbox, 'POST', `${V3}/subscribe`, {
        token,
        json: { emailAddress: 'lead@example.com', subscriptionId: String(SALES) },
      });
      assert.equal(subscribed.statusCode, 200);
      assert.equal(subscribed.body.status, 'SUBSCRIBED');
      const status = await call<V3Statuses>(sandbox, 'GET', `${V3}/status/email/lead@example.com`, { token });
      assert.equal(status.body.recipient, 'lead@example.com');
      assert.deepEqual(
        status.body.subscriptionStatuses.map((entry) => [entry.id, entry.status]),
        [
          [String(MARKETING), 'NOT_SUBSCRIBED'],
          [String(SALES), 'SUBSCRIBED'],
        ],
      );
    });

    void it('cannot resubscribe someone who unsubscribed', async () => {
      const request = { emailAddress: 'lead@example.com', subscriptionId: String(MARKETING) };
      await call(sandbox, 'POST', `${V3}/unsubscribe`, { token, json: request });
      const answer = await call(sandbox, 'POST', `${V3}/subscribe`, { token, json: request });
      assert.equal(answer.statusCode, 400);
      assert.equal(sandbox.subscriptionStatus('lead@example.com').statuses[MARKETING], 'UNSUBSCRIBED');
    });

    void it('rejects an unknown subscription id', async () => {
      const answer = await call(sandbox, 'POST', `${V3}/unsubscribe`, {
        token,
        json: { emailAddress: 'lead@example.com', subscriptionId: '5' },
      });
      assert.equal(answer.statusCode, 400);
    });
  });

  void describe('2026-03', () => {
    const setStatus = (email: string, statusState: string, subscriptionId = MARKETING) =>
      call<ActionResponse<PublicStatus>>(sandbox, 'POST', `${DATED}/statuses/${email}`, {
        token,
        json: { channel: 'EMAIL', statusState, subscriptionId, legalBasis: 'LEGITIMATE_INTEREST_CLIENT' },
      });

    void it('reads the statuses, NOT_SPECIFIED until something is set', async () => {
      const answer = await call<ActionResponse<PublicStatus>>(sandbox, 'GET', `${DATED}/statuses/lead@example.com`, {
        token,
        searchParams: { channel: 'EMAIL' },
      });
      assert.equal(answer.statusCode, 200);
      assert.equal(answer.body.status, 'COMPLETE');
      assert.deepEqual(
        answer.body.results.map((entry) => [entry.subscriptionId, entry.status]),
        [
          [MARKETING, 'NOT_SPECIFIED'],
          [SALES, 'NOT_SPECIFIED'],
        ],
      );
    });

    void it('requires channel=EMAIL on reads', async () => {
      const answer = await call(sandbox, 'GET', `${DATED}/statuses/lead@example.com`, { token });
      assert.equal(answer.statusCode, 400);
      assert.equal(answer.body.category, 'VALIDATION_ERROR');
    });

    void it('sets a status, reports NO_STATUS_CHANGE when repeated, and resubscribes', async () => {
      const unsubscribed = await setStatus('lead@example.com', 'UNSUBSCRIBED');
      assert.equal(unsubscribed.statusCode, 200);
      assert.equal(unsubscribed.body.results[0]?.status, 'UNSUBSCRIBED');
      assert.equal(unsubscribed.body.results[0]?.setStatusSuccessReason, 'REQUESTED_CHANGE_OCCURRED');
      assert.equal(unsubscribed.body.results[0]?.legalBasis, 'LEGITIMATE_INTEREST_CLIENT');

      const again = await setStatus('lead@example.com', 'UNSUBSCRIBED');
      assert.equal(again.statusCode, 200);
      assert.equal(again.body.results[0]?.setStatusSuccessReason, 'NO_STATUS_CHANGE');

      const resubscribed = await setStatus('lead@example.com', 'SUBSCRIBED');
      assert.equal(resubscribed.body.results[0]?.status, 'SUBSCRIBED');
      assert.equal(resubscribed.body.results[0]?.setStatusSuccessReason, 'RESUBSCRIBE_OCCURRED');
      assert.equal(sandbox.subscriptionStatus('lead@example.com').statuses[MARKETING], 'SUBSCRIBED');
    });

    void it('unsubscribes from all email, sets hs_email_optout, and reports the portal-wide status', async () => {
      await call(sandbox, 'POST', CONTACTS_2026, { token, json: { properties: { email: 'lead@example.com' } } });
      await setStatus('lead@example.com', 'SUBSCRIBED', SALES);

      const before = await call<ActionResponse<WideStatus>>(
        sandbox,
        'GET',
        `${DATED}/statuses/lead@example.com/unsubscribe-all`,
        {
          token,
          searchParams: { channel: 'EMAIL' },
        },
      );
      assert.deepEqual(before.body.results, []);

      const answer = await call<ActionResponse<PublicStatus>>(
        sandbox,
        'POST',
        `${DATED}/statuses/lead@example.com/unsubscribe-all`,
        {
          token,
          searchParams: { channel: 'EMAIL', verbose: 'true' },
        },
      );
      assert.equal(answer.statusCode, 200);
      assert.deepEqual(
        answer.body.results.map((entry) => [entry.status, entry.setStatusSuccessReason]),
        [
          ['UNSUBSCRIBED', 'UNSUBSCRIBE_FROM_ALL_OCCURRED'],
          ['UNSUBSCRIBED', 'UNSUBSCRIBE_FROM_ALL_OCCURRED'],
        ],
      );
      assert.equal(sandbox.contacts.byEmail('lead@example.com')?.properties.hs_email_optout, 'true');
      assert.deepEqual(sandbox.subscriptionStatus('lead@example.com'), {
        unsubscribedFromAll: true,
        statuses: { [MARKETING]: 'UNSUBSCRIBED', [SALES]: 'UNSUBSCRIBED' },
      });

      const wide = await call<ActionResponse<WideStatus>>(
        sandbox,
        'GET',
        `${DATED}/statuses/lead@example.com/unsubscribe-all`,
        {
          token,
          searchParams: { channel: 'EMAIL' },
        },
      );
      assert.equal(wide.body.results.length, 1);
      assert.equal(wide.body.results[0]?.wideStatusType, 'PORTAL_WIDE');
      assert.equal(wide.body.results[0]?.status, 'UNSUBSCRIBED');

      const repeated = await call<ActionResponse<PublicStatus>>(
        sandbox,
        'POST',
        `${DATED}/statuses/lead@example.com/unsubscribe-all`,
        {
          token,
          searchParams: { channel: 'EMAIL', verbose: 'true' },
        },
      );
      assert.equal(repeated.body.results[0]?.setStatusSuccessReason, 'NO_STATUS_CHANGE');

      const v3 = await call(sandbox, 'POST', `${V3}/unsubscribe`, {
        token,
        json: { emailAddress: 'lead@example.com', subscriptionId: String(SALES) },
      });
      assert.equal(v3.statusCode, 400, 'v3 sees the opt-out from all as already unsubscribed');

      const resubscribed = await setStatus('lead@example.com', 'SUBSCRIBED', SALES);
      assert.equal(resubscribed.body.results[0]?.setStatusSuccessReason, 'RESUBSCRIBE_OCCURRED');
      assert.equal(sandbox.subscriptionStatus('lead@example.com').unsubscribedFromAll, false);
      assert.equal(sandbox.contacts.byEmail('lead@example.com')?.properties.hs_email_optout, 'false');
    });
  });
});
