import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, CONTACTS_2026, CONTACTS_V3, oauthAccessToken, open } from './helpers.js';

// Windows far longer than the test, so nothing depends on timing.
const WINDOW_MS = 60_000;

void describe('sandbox rate limits', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await open({
      rateLimit: { max: 3, intervalMs: WINDOW_MS },
      searchRateLimit: { max: 2, intervalMs: WINDOW_MS },
    });
  });
  after(async () => {
    await sandbox.close();
  });

  void it('counts down the burst headers, then answers 429 TEN_SECONDLY_ROLLING across versions and tokens', async () => {
    const oauth = await oauthAccessToken(sandbox);
    const remaining: string[] = [];
    for (const [path, token] of [
      [CONTACTS_2026, oauth],
      [CONTACTS_V3, sandbox.staticToken],
      [`/communication-preferences/v3/definitions`, oauth],
    ] as const) {
      const answer = await call(sandbox, 'GET', path, { token });
      assert.equal(answer.statusCode, 200);
      assert.equal(answer.headers['x-hubspot-ratelimit-max'], '3');
      assert.equal(answer.headers['x-hubspot-ratelimit-interval-milliseconds'], String(WINDOW_MS));
      remaining.push(String(answer.headers['x-hubspot-ratelimit-remaining']));
    }
    assert.deepEqual(remaining, ['2', '1', '0']);

    const limited = await call(sandbox, 'POST', CONTACTS_2026, {
      token: oauth,
      json: { properties: { email: 'x@y.co' } },
    });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['x-hubspot-ratelimit-remaining'], '0');
    assert.equal(limited.body.status, 'error');
    assert.equal(limited.body.message, 'You have reached your ten_secondly_rolling limit.');
    assert.equal(limited.body.errorType, 'RATE_LIMIT');
    assert.equal(limited.body.policyName, 'TEN_SECONDLY_ROLLING');
    assert.match(String(limited.body.groupName), /^publicapi:/);
    assert.equal(typeof limited.body.correlationId, 'string');
    assert.equal(sandbox.contacts.all().length, 0, 'a limited write is not applied');
    assert.equal(sandbox.counters().rateLimited, 1);
  });

  void it('limits search separately, with the secondly policy and no limit headers', async () => {
    const token = sandbox.staticToken;
    const search = () => call(sandbox, 'POST', `${CONTACTS_2026}/search`, { token, json: { filterGroups: [] } });
    for (let n = 0; n < 2; n += 1) {
      const answer = await search();
      assert.equal(answer.statusCode, 200, 'search does not count against the exhausted burst limit');
      assert.equal(answer.headers['x-hubspot-ratelimit-remaining'], undefined);
    }
    const limited = await search();
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.body.message, 'You have reached your secondly limit.');
    assert.equal(limited.body.policyName, 'SECONDLY');
    assert.equal(sandbox.counters().rateLimited, 2);
  });

  void it('does not rate-limit the token endpoint, and reset clears the window', async () => {
    assert.equal((await call(sandbox, 'GET', CONTACTS_2026, { token: sandbox.staticToken })).statusCode, 429);
    await oauthAccessToken(sandbox);
    sandbox.reset();
    const answer = await call(sandbox, 'GET', CONTACTS_2026, { token: sandbox.staticToken });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['x-hubspot-ratelimit-remaining'], '2');
  });
});

void describe('sandbox without a rate limit', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await open({ rateLimit: false });
  });
  after(async () => {
    await sandbox.close();
  });

  void it('never answers 429 and sends no burst headers', async () => {
    for (let n = 0; n < 5; n += 1) {
      const answer = await call(sandbox, 'GET', CONTACTS_2026, { token: sandbox.staticToken });
      assert.equal(answer.statusCode, 200);
      assert.equal(answer.headers['x-hubspot-ratelimit-max'], undefined);
    }
  });
});
