/**
 * Signing and checking of the deliveries this service POSTs to the backend's webhook receiver. The backend imports
 * `verifyWebhook`; the service signs with `signDelivery`. Only node:crypto is used, so the helper runs in any
 * Node-compatible runtime the backend has.
 *
 * Header format: `LeadSync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. More than
 * one `v1=` entry may appear, so a receiver can accept the old and the new secret while it is being rotated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The header that carries the signature. HTTP header names are case-insensitive and Node lower-cases them, so in a
 * Node server read it as `req.headers[SIGNATURE_HEADER.toLowerCase()]` (`'leadsync-signature'`).
 */
export const SIGNATURE_HEADER = 'LeadSync-Signature';

const DEFAULT_TOLERANCE_SECONDS = 300;
const HEX_DIGEST = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,15}$/;

function digest(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The `LeadSync-Signature` value for one delivery body, signed at `timestamp` (unix seconds). */
export function signDelivery({
  secret,
  rawBody,
  timestamp,
}: {
  secret: string;
  rawBody: string;
  /** Unix seconds. */
  timestamp: number;
}): string {
  if (secret === '') throw new RangeError('signDelivery needs a non-empty secret');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError('signDelivery needs the timestamp in whole unix seconds');
  }
  const t = String(timestamp);
  return `t=${t},v1=${digest(secret, t, rawBody).toString('hex')}`;
}

function parseHeader(header: string | string[] | undefined): { t: string; v1: string[] } | undefined {
  if (header === undefined) return undefined;
  const entries = (Array.isArray(header) ? header.join(',') : header).split(',');
  const ts: string[] = [];
  const v1: string[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq < 0) continue;
    const key = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (key === 't') ts.push(value);
    else if (key === 'v1') v1.push(value);
  }
  // Two timestamps would leave it open which one the signature covers.
  const [t] = ts;
  if (ts.length !== 1 || t === undefined || !UNIX_SECONDS.test(t) || v1.length === 0) return undefined;
  return { t, v1 };
}

/**
 * True when `header` holds a `v1` signature of `rawBody` under `secret`, made within `toleranceSeconds` (300 by
 * default) of `now` (ms, default the clock), in either direction.
 *
 * Pass the body exactly as received, as a Buffer or the string it decodes to: a body parsed and re-serialised
 * (`JSON.stringify(req.body)`) differs in whitespace, key order or escapes and will not verify.
 *
 * Returns false, never throws, for a missing, malformed or foreign header, and for an empty secret.
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  header: string | string[] | undefined,
  secret: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  try {
    if (typeof secret !== 'string' || secret === '') return false;
    const parsed = parseHeader(header);
    if (!parsed) return false;
    const nowSeconds = (options.now ?? Date.now()) / 1000;
    const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    if (!(Math.abs(nowSeconds - Number(parsed.t)) <= tolerance)) return false;
    const expected = digest(secret, parsed.t, rawBody);
    let matched = false;
    for (const candidate of parsed.v1) {
      // Fixed-length digests on both sides, so neither the comparison nor its length check depends on the secret.
      if (HEX_DIGEST.test(candidate) && timingSafeEqual(Buffer.from(candidate, 'hex'), expected)) matched = true;
    }
    return matched;
  } catch {
    return false;
  }
}
