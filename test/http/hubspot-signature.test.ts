import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Signature } from '@hubspot/api-client';
import { hubspotRequestUri, verifyHubSpotSignature } from '../../src/http/hubspot-signature.js';

const CLIENT_SECRET = 'hubspot-client-secret-test-0000';
const URI = 'https://leads.example.com/webhooks/hubspot?portalId=62515&b=2&a=1';
const ASCII_BODY = '[{"eventId":1,"subscriptionType":"contact.propertyChange","propertyValue":"Ada"}]';
const UNICODE_BODY = '[{"eventId":2,"propertyName":"firstname","propertyValue":"Zoë 名前 🚀"}]';

/** What HubSpot sends, signed by the official SDK's own v3 code. */
function sdkSigned(options: { uri?: string; body?: string; method?: string; timestamp?: number } = {}) {
  const { uri = URI, body = ASCII_BODY, method = 'POST', timestamp = Date.now() } = options;
  const signature = Signature.getSignature(method, 'v3', {
    signature: '',
    clientSecret: CLIENT_SECRET,
    requestBody: body,
    url: uri,
    timestamp,
  });
  return { method, uri, rawBody: body, signature, timestamp: String(timestamp), clientSecret: CLIENT_SECRET };
}

const sdkAccepts = (req: ReturnType<typeof sdkSigned>) =>
  Signature.isValid({
    signatureVersion: 'v3',
    method: req.method,
    url: req.uri,
    requestBody: req.rawBody,
    signature: req.signature,
    clientSecret: req.clientSecret,
    timestamp: Number(req.timestamp),
  });

describe('verifyHubSpotSignature', () => {
  it('agrees with the official SDK on plain URIs and non-ASCII bodies, as strings and as raw bytes', () => {
    for (const body of [ASCII_BODY, UNICODE_BODY, '']) {
      const req = sdkSigned({ body });
      assert.equal(sdkAccepts(req), true);
      assert.deepEqual(verifyHubSpotSignature(req), { ok: true });
      assert.deepEqual(verifyHubSpotSignature({ ...req, rawBody: Buffer.from(body, 'utf8') }), { ok: true });
    }
  });

  it('says mismatch for a changed body, URI, timestamp, method or secret, as the SDK does', () => {
    const req = sdkSigned({ body: UNICODE_BODY });
    const tampered = [
      { ...req, rawBody: UNICODE_BODY.replace('Zoë', 'Zoe') },
      { ...req, rawBody: JSON.stringify(JSON.parse(UNICODE_BODY), null, 1) },
      { ...req, uri: URI.replace('b=2&a=1', 'a=1&b=2') },
      { ...req, uri: URI.replace('https:', 'http:') },
      { ...req, timestamp: String(Number(req.timestamp) - 1) },
      { ...req, method: 'PUT' },
      { ...req, clientSecret: 'another-client-secret-0000' },
    ];
    for (const changed of tampered) {
      assert.equal(sdkAccepts(changed), false);
      assert.deepEqual(verifyHubSpotSignature(changed), { ok: false, reason: 'mismatch' });
    }
  });

  it('says mismatch, without throwing, for signatures of another length or alphabet', () => {
    const req = sdkSigned();
    for (const signature of [
      'x',
      req.signature.slice(0, -1),
      `${req.signature}=`,
      '\u0000'.repeat(44),
      'é'.repeat(44),
    ]) {
      assert.deepEqual(verifyHubSpotSignature({ ...req, signature }), { ok: false, reason: 'mismatch' });
    }
    assert.deepEqual(verifyHubSpotSignature({ ...req, clientSecret: '' }), { ok: false, reason: 'mismatch' });
  });

  it('says stale for a timestamp more than maxAgeMs in the past or in the future', () => {
    const now = Date.now();
    const at = (timestamp: number, maxAgeMs?: number) =>
      verifyHubSpotSignature({ ...sdkSigned({ timestamp }), now, ...(maxAgeMs !== undefined ? { maxAgeMs } : {}) });
    assert.deepEqual(at(now - 300_000), { ok: true });
    assert.deepEqual(at(now - 300_001), { ok: false, reason: 'stale' });
    assert.deepEqual(at(now + 300_000), { ok: true });
    assert.deepEqual(at(now + 300_001), { ok: false, reason: 'stale' });
    assert.deepEqual(at(now - 10_001, 10_000), { ok: false, reason: 'stale' });
    assert.deepEqual(at(now - 3_600_000, 3_600_000), { ok: true });
    const old = sdkSigned({ timestamp: now - 300_001 });
    assert.throws(() => sdkAccepts(old), /Timestamp is invalid/);
    assert.deepEqual(verifyHubSpotSignature(old), { ok: false, reason: 'stale' }, 'the clock by default');
  });

  it('says missing without either header, and malformed for a timestamp that is not epoch ms', () => {
    const req = sdkSigned();
    for (const absent of [{ signature: undefined }, { signature: '' }, { timestamp: undefined }, { timestamp: '' }]) {
      assert.deepEqual(verifyHubSpotSignature({ ...req, ...absent }), { ok: false, reason: 'missing' });
    }
    for (const timestamp of ['soon', '1.7e12', `${req.timestamp}.0`, `-${req.timestamp}`, ` ${req.timestamp}`]) {
      assert.deepEqual(verifyHubSpotSignature({ ...req, timestamp }), { ok: false, reason: 'malformed' });
    }
  });
});

describe('hubspotRequestUri', () => {
  it('decodes exactly the escapes HubSpot decodes, in either case, and keeps the rest encoded', () => {
    const decoded = ":/?@!$'()*,;";
    const encoded = [...decoded].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
    assert.equal(hubspotRequestUri('https://x.example', `/h?v=${encoded}`), `https://x.example/h?v=${decoded}`);
    assert.equal(
      hubspotRequestUri('https://x.example', `/h?v=${encoded.toLowerCase()}`),
      `https://x.example/h?v=${decoded}`,
    );
    assert.equal(
      hubspotRequestUri('https://x.example', '/h/a%20b?q=%3Ax%20y%25%253A%2B%26%3D%23%C3%A9'),
      'https://x.example/h/a%20b?q=:x%20y%25%253A%2B%26%3D%23%C3%A9',
    );
  });

  it('keeps the query in its order and joins the public URL, with its prefix, to the request path', () => {
    const raw = '/webhooks/hubspot?z=1&a=2&z=0';
    for (const base of [
      'https://leads.example.com/sync',
      'https://leads.example.com/sync/',
      'https://leads.example.com/sync//',
    ]) {
      assert.equal(hubspotRequestUri(base, raw), 'https://leads.example.com/sync/webhooks/hubspot?z=1&a=2&z=0');
    }
    assert.equal(hubspotRequestUri('http://localhost:3000/', '/h'), 'http://localhost:3000/h');
    assert.equal(hubspotRequestUri('http://localhost:3000', 'h?x=1'), 'http://localhost:3000/h?x=1');
  });

  it('refuses a public URL that is not http(s) or carries a query or fragment', () => {
    for (const base of [
      'leads.example.com',
      'ftp://leads.example.com',
      'https://x.example/?a=1',
      'https://x.example#f',
    ]) {
      assert.throws(() => hubspotRequestUri(base, '/h'), TypeError);
    }
  });

  it('rebuilds the URI HubSpot signed from the request as received', () => {
    const received = '/webhooks/hubspot?name=O%27Brien%20%28Ada%29&at=%40home&tag=a%2Cb';
    const signedByHubSpot = "https://leads.example.com/sync/webhooks/hubspot?name=O'Brien%20(Ada)&at=@home&tag=a,b";
    const req = sdkSigned({ uri: signedByHubSpot, body: UNICODE_BODY });
    const uri = hubspotRequestUri('https://leads.example.com/sync/', received);
    assert.equal(uri, signedByHubSpot);
    assert.deepEqual(verifyHubSpotSignature({ ...req, uri }), { ok: true });
    const undecoded = `https://leads.example.com/sync${received}`;
    assert.deepEqual(verifyHubSpotSignature({ ...req, uri: undecoded }), { ok: false, reason: 'mismatch' });
  });
});
