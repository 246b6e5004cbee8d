import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

export interface AuthOptions {
  apiKey?: string;
}

/**
 * Constant time by construction, whatever the lengths: both sides are hashed to 32 bytes first, so timingSafeEqual
 * always runs over equal-length digests and nothing returns early on a length mismatch. Hashing the candidate takes
 * time in its own length only, which its sender knows already.
 */
function safeEqual(candidate: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(candidate), digest(expected));
}

export function isLoopback(address: string | undefined): boolean {
  return (
    address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || !!address?.startsWith('127.')
  );
}

/** Bearer LEADSYNC_API_KEY when one is configured; without one, loopback clients only. */
export function isAuthorized(request: FastifyRequest, options: AuthOptions): boolean {
  if (!options.apiKey) return isLoopback(request.socket.remoteAddress);
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  return token !== '' && safeEqual(token, options.apiKey);
}

/**
 * Bearer LEADSYNC_API_KEY when one is configured; without one, only clients on this machine are served, which is
 * what a developer running `npm start` expects and what keeps an unconfigured deployment closed.
 */
export function requireApiKey(options: AuthOptions): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isAuthorized(request, options)) return;
    if (!options.apiKey) {
      await reply
        .code(403)
        .send({ error: 'forbidden', message: 'LEADSYNC_API_KEY is not set: only loopback clients are served' });
      return;
    }
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: 'unauthorized', message: 'missing or wrong bearer token' });
  };
}

/** A per-deployment path segment that lets the Web UI reach the codec endpoint without sending our API key. */
export function codecCapability(apiKey: string): string {
  return createHmac('sha256', apiKey).update('leadsync-codec-endpoint').digest('base64url').slice(0, 32);
}

export function capabilityMatches(apiKey: string | undefined, candidate: string): boolean {
  return !!apiKey && safeEqual(candidate, codecCapability(apiKey));
}
