import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

export interface AuthOptions {
  apiKey?: string;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function isLoopback(address: string | undefined): boolean {
  return (
    address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || !!address?.startsWith('127.')
  );
}

/**
 * Bearer LEADSYNC_API_KEY when one is configured; without one, only clients on this machine are served, which is
 * what a developer running `npm start` expects and what keeps an unconfigured deployment closed.
 */
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
