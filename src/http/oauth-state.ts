import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TTL_MS = 10 * 60_000;

export type SignedPurpose = 'state' | 'install';

/**
 * Opaque, expiring, HMAC-signed tokens for the OAuth flow: the `state` sent through HubSpot (bound to a nonce the
 * browser also holds in a cookie) and the install tickets that let a browser start an install on a deployment
 * whose API needs a bearer key.
 */
export function createSignedToken(
  secret: Buffer,
  purpose: SignedPurpose,
  now = Date.now(),
): { token: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ p: purpose, exp: now + TTL_MS, n: nonce })).toString('base64url');
  return { token: `${payload}.${sign(secret, payload)}`, nonce };
}

export function verifySignedToken(
  secret: Buffer,
  token: string,
  purpose: SignedPurpose,
  now = Date.now(),
): { ok: true; nonce: string } | { ok: false; reason: string } {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return { ok: false, reason: `malformed ${purpose}` };
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: `${purpose} signature does not match` };
  }
  try {
    const { p, exp, n } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      p?: unknown;
      exp?: unknown;
      n?: unknown;
    };
    if (p !== purpose || typeof n !== 'string') return { ok: false, reason: `not a ${purpose}` };
    if (typeof exp !== 'number' || exp < now)
      return { ok: false, reason: `${purpose} expired; start the install again` };
    return { ok: true, nonce: n };
  } catch {
    return { ok: false, reason: `malformed ${purpose}` };
  }
}

function sign(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
