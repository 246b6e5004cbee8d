import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TTL_MS = 10 * 60_000;

/** An opaque, expiring, HMAC-signed `state` for the OAuth redirect, so a callback we did not start is refused. */
export function createOAuthState(secret: Buffer, now = Date.now()): string {
  const payload = Buffer.from(
    JSON.stringify({ exp: now + TTL_MS, nonce: randomBytes(12).toString('base64url') }),
  ).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export function verifyOAuthState(
  secret: Buffer,
  state: string,
  now = Date.now(),
): { ok: true } | { ok: false; reason: string } {
  const [payload, signature] = state.split('.');
  if (!payload || !signature) return { ok: false, reason: 'malformed state' };
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'state signature does not match' };
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof exp !== 'number' || exp < now) return { ok: false, reason: 'state expired; start the install again' };
  } catch {
    return { ok: false, reason: 'malformed state' };
  }
  return { ok: true };
}

function sign(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
