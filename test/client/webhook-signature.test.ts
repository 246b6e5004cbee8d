import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { SIGNATURE_HEADER, signDelivery, verifyWebhook } from '../../src/client/webhook-signature.js';

const SECRET = 'whsec-test-0123456789abcdef';
const T = 1_767_225_600;
const AT_T = T * 1000;
const BODY = '{"id":"d-1","type":"lead.updated","email":"zoë@example.com","changes":{"firstname":"Zoë 名前"}}';

const sign = (rawBody = BODY, secret = SECRET, timestamp = T) => signDelivery({ secret, rawBody, timestamp });
const v1 = (header: string) => header.split('v1=')[1] ?? '';

describe('signDelivery', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', SECRET)
      .update(Buffer.from(`${T}.${BODY}`, 'utf8'))
      .digest('hex');
    assert.equal(sign(), `t=${T},v1=${expected}`);
    assert.equal(SIGNATURE_HEADER.toLowerCase(), 'leadsync-signature');
  });

  it('refuses an empty secret and timestamps that are not whole unix seconds', () => {
    assert.throws(() => sign(BODY, ''), RangeError);
    for (const timestamp of [1.5, -1, Number.NaN, Date.now() * 1e6]) {
      assert.throws(() => sign(BODY, SECRET, timestamp), RangeError, String(timestamp));
    }
  });
});

describe('verifyWebhook', () => {
  it('accepts the signed body as a string or as the raw bytes, and a header array', () => {
    assert.equal(verifyWebhook(BODY, sign(), SECRET, { now: AT_T }), true);
    assert.equal(verifyWebhook(Buffer.from(BODY, 'utf8'), sign(), SECRET, { now: AT_T }), true);
    assert.equal(verifyWebhook(BODY, [sign()], SECRET, { now: AT_T }), true);
    assert.equal(verifyWebhook(BODY, ` t=${T} , v1=${v1(sign())} `, SECRET, { now: AT_T }), true);
  });

  it('accepts any of several v1 entries, for secret rotation', () => {
    const old = v1(sign(BODY, 'whsec-old-secret-000000'));
    assert.equal(verifyWebhook(BODY, `${sign()},v1=${old}`, SECRET, { now: AT_T }), true);
    assert.equal(verifyWebhook(BODY, `t=${T},v1=${old},v1=${v1(sign())}`, SECRET, { now: AT_T }), true);
    assert.equal(verifyWebhook(BODY, [`t=${T},v1=${old}`, `v1=${v1(sign())}`], SECRET, { now: AT_T }), true);
    assert.equal(verifyWebhook(BODY, `t=${T},v1=${old}`, SECRET, { now: AT_T }), false);
  });

  it('rejects another secret, a changed body, a re-serialised body and bytes decoded wrongly', () => {
    assert.equal(verifyWebhook(BODY, sign(), 'whsec-someone-else-0000', { now: AT_T }), false);
    assert.equal(verifyWebhook(BODY.replace('d-1', 'd-2'), sign(), SECRET, { now: AT_T }), false);
    const spaced = '{"id": "d-1", "type": "lead.updated"}';
    assert.equal(verifyWebhook(JSON.stringify(JSON.parse(spaced)), sign(spaced), SECRET, { now: AT_T }), false);
    const latin1 = Buffer.from(Buffer.from(BODY, 'utf8').toString('latin1'), 'utf8');
    assert.equal(verifyWebhook(latin1, sign(), SECRET, { now: AT_T }), false);
  });

  it('holds the timestamp to the tolerance in both directions', () => {
    const at = (now: number, toleranceSeconds?: number) =>
      verifyWebhook(BODY, sign(), SECRET, { now, ...(toleranceSeconds !== undefined ? { toleranceSeconds } : {}) });
    assert.equal(at(AT_T + 300_000), true);
    assert.equal(at(AT_T + 300_001), false);
    assert.equal(at(AT_T - 300_000), true);
    assert.equal(at(AT_T - 300_001), false);
    assert.equal(at(AT_T + 30_000, 10), false);
    assert.equal(at(AT_T + 3_600_000, 3600), true);
    const fresh = signDelivery({ secret: SECRET, rawBody: BODY, timestamp: Math.floor(Date.now() / 1000) });
    assert.equal(verifyWebhook(BODY, fresh, SECRET), true, 'the clock by default');
    assert.equal(verifyWebhook(BODY, sign(), SECRET), false, 'a 2026 signature is stale on the clock');
  });

  it('answers false, without throwing, for garbage', () => {
    const good = v1(sign());
    const headers: (string | string[] | undefined)[] = [
      undefined,
      '',
      [],
      'garbage',
      `v1=${good}`,
      `t=${T}`,
      `t=,v1=${good}`,
      `t=abc,v1=${good}`,
      `t=-${T},v1=${good}`,
      `t=${T}.0,v1=${good}`,
      `t=${T},t=${T},v1=${good}`,
      `t=${T},v1=${good.slice(0, 63)}`,
      `t=${T},v1=${good}00`,
      `t=${T},v1=${good.slice(0, 63)}g`,
      `t=${T},v0=${good}`,
      `${sign()},`.repeat(2000),
      'x'.repeat(100_000),
    ];
    for (const header of headers) {
      assert.equal(verifyWebhook(BODY, header, SECRET, { now: AT_T }), false, String(header).slice(0, 80));
    }
    assert.equal(verifyWebhook(BODY, sign(), '', { now: AT_T }), false);
    const untyped = verifyWebhook as (...args: unknown[]) => boolean;
    assert.equal(untyped({ id: 'd-1' }, sign(), SECRET, { now: AT_T }), false);
    assert.equal(untyped(BODY, 42, SECRET, { now: AT_T }), false);
    assert.equal(untyped(BODY, sign(), undefined, { now: AT_T }), false);
    assert.equal(untyped(BODY, sign(), SECRET, { now: 'soon' }), false);
  });
});
