/**
 * Checks HubSpot's v3 webhook signature (`X-HubSpot-Signature-v3` with `X-HubSpot-Request-Timestamp`): base64
 * HMAC-SHA256, keyed with the app's client secret, over `method + uri + rawBody + timestamp`.
 *
 * HubSpot signs the URL it called, with a few escapes decoded, and the SDKs leave rebuilding that URI to the caller;
 * `hubspotRequestUri` does it from our public base URL, because behind a proxy the request's own Host is not the one
 * HubSpot used.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const DEFAULT_MAX_AGE_MS = 300_000;
const EPOCH_MS = /^\d{1,16}$/;
// The only escapes HubSpot decodes before signing; every other one (`%20`, `%25`, ...) stays as sent.
const DECODED_ESCAPES = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/**
 * The URI HubSpot signed, from `publicUrl` (LEADSYNC_PUBLIC_URL: scheme, host and an optional path prefix, with or
 * without a trailing slash) and `rawUrl`, the request's path and query exactly as received (Node's `req.url`), which
 * the proxy has stripped of that prefix. Query order is kept. Throws a TypeError when `publicUrl` is not an http(s)
 * URL without query or fragment: that is configuration, checked before any request matters.
 */
export function hubspotRequestUri(publicUrl: string, rawUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(publicUrl);
  } catch {
    throw new TypeError('the public URL is not a URL');
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || /[?#]/.test(publicUrl)) {
    throw new TypeError('the public URL must be http(s), without query or fragment');
  }
  const base = publicUrl.replace(/\/+$/, '');
  const path = rawUrl.startsWith('/') ? rawUrl : `/${rawUrl}`;
  return (base + path).replace(DECODED_ESCAPES, (escape) => decodeURIComponent(escape));
}

export type HubSpotSignatureResult =
  { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export interface HubSpotSignatureInput {
  method: string;
  /** The URI HubSpot called, as `hubspotRequestUri` rebuilds it. */
  uri: string;
  /** The body exactly as received; a re-serialised JSON body does not verify. */
  rawBody: string | Buffer;
  /** `X-HubSpot-Signature-v3`. */
  signature: string | undefined;
  /** `X-HubSpot-Request-Timestamp`, epoch milliseconds. */
  timestamp: string | undefined;
  clientSecret: string;
  /** Epoch ms; the clock by default. */
  now?: number;
  /** How far the timestamp may lie from `now`, in the past or the future; 5 minutes by default, as HubSpot asks. */
  maxAgeMs?: number;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Whether the request carries a valid v3 signature, and why not. An empty client secret never verifies: with it,
 * anyone could sign.
 */
export function verifyHubSpotSignature(input: HubSpotSignatureInput): HubSpotSignatureResult {
  const { signature, timestamp } = input;
  if (signature === undefined || signature === '' || timestamp === undefined || timestamp === '') {
    return { ok: false, reason: 'missing' };
  }
  if (!EPOCH_MS.test(timestamp)) return { ok: false, reason: 'malformed' };
  const maxAgeMs = input.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (!(Math.abs((input.now ?? Date.now()) - Number(timestamp)) <= maxAgeMs)) return { ok: false, reason: 'stale' };
  if (input.clientSecret === '') return { ok: false, reason: 'mismatch' };

  const expected = createHmac('sha256', input.clientSecret)
    .update(input.method)
    .update(input.uri)
    .update(input.rawBody)
    .update(timestamp)
    .digest('base64');
  // Hashing both sides first gives equal-length buffers, so a wrong-length signature costs the same time.
  return timingSafeEqual(sha256(signature), sha256(expected)) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
