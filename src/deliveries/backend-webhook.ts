/**
 * Delivers one change to the backend's webhook receiver: one signed POST, tried once. Temporal is the only retry
 * layer, so got never retries or follows redirects, and every answer but a 2xx becomes a classified error that
 * `toFailure` (src/activities/failures.ts) turns into a retryable or permanent failure.
 */
import got, { RequestError } from 'got';
import { SIGNATURE_HEADER, signDelivery } from '../client/webhook-signature.js';
import { parseRetryAfter } from '../hubspot/retry-after.js';
import type { BackendDelivery } from '../shared/delivery-types.js';
import { FailureType } from '../shared/failure-types.js';

export interface BackendWebhookOptions {
  url: string;
  secret: string;
  timeoutMs?: number;
  /** Epoch ms; signs with the clock's time by default. */
  now?: () => number;
}

export interface BackendWebhook {
  post(delivery: BackendDelivery): Promise<{ status: number }>;
}

type BackendFailureType = typeof FailureType.BackendUnavailable | typeof FailureType.BackendRejected;

/** A delivery the backend did not take, with the fields `toFailure` reads. `status` is absent when none came. */
export class BackendDeliveryError extends Error {
  override readonly name = 'BackendDeliveryError';
  readonly retryable: boolean;

  constructor(
    readonly type: BackendFailureType,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.retryable = type === FailureType.BackendUnavailable;
  }
}

const BODY_EXCERPT_CHARS = 200;
const RETRYABLE_STATUSES = new Set([408, 429]);
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f-\u009f]+/g;

/**
 * The part of the answer's body a message may quote. A receiver may echo what it got, so the secret and the signature
 * are removed first, however short; control characters and line breaks go next, as they could forge log lines.
 */
function excerpt(body: string, secrets: readonly string[]): string {
  const redacted = secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), body);
  const chars = [...redacted.replace(CONTROL_OR_SPACE, ' ').trim()];
  return chars.length > BODY_EXCERPT_CHARS ? `${chars.slice(0, BODY_EXCERPT_CHARS).join('')}…` : chars.join('');
}

function answerError(
  status: number,
  body: string,
  retryAfter: string | undefined,
  now: number,
  secrets: readonly string[],
): BackendDeliveryError {
  const text = excerpt(body, secrets);
  const message = `backend webhook answered ${status}${text === '' ? '' : `: ${text}`}`;
  if (status >= 500 || RETRYABLE_STATUSES.has(status)) {
    // 503 carries Retry-After as often as 429 does (RFC 9110 §10.2.3).
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter, now) : undefined;
    return new BackendDeliveryError(FailureType.BackendUnavailable, message, status, retryAfterMs);
  }
  return new BackendDeliveryError(FailureType.BackendRejected, message, status);
}

function transportError(err: unknown, timeoutMs: number): BackendDeliveryError {
  // got's own message is not used: its error holds the request, signature header included.
  const code = err instanceof RequestError ? err.code : undefined;
  const message =
    code === 'ETIMEDOUT'
      ? `backend webhook timed out after ${timeoutMs} ms`
      : `backend webhook unreachable${code ? ` (${code})` : ''}`;
  return new BackendDeliveryError(FailureType.BackendUnavailable, message);
}

export function createBackendWebhook(options: BackendWebhookOptions): BackendWebhook {
  const { url, secret, timeoutMs = 10_000, now = Date.now } = options;
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw new TypeError('the backend webhook URL must be http(s)');
  if (secret === '') throw new RangeError('the backend webhook needs a non-empty secret');
  if (!(timeoutMs > 0)) throw new RangeError('the backend webhook timeout must be positive');

  const client = got.extend({
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    timeout: { request: timeoutMs },
  });

  return {
    async post(delivery: BackendDelivery): Promise<{ status: number }> {
      const rawBody = JSON.stringify(delivery);
      const signature = signDelivery({ secret, rawBody, timestamp: Math.floor(now() / 1000) });
      let response;
      try {
        response = await client.post(url, {
          body: rawBody,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'hubspot-lead-sync',
            [SIGNATURE_HEADER]: signature,
            'LeadSync-Delivery-Id': delivery.id,
          },
        });
      } catch (err) {
        throw transportError(err, timeoutMs);
      }
      const { statusCode: status } = response;
      if (status >= 200 && status < 300) return { status };
      const retryAfter = response.headers['retry-after'];
      const digest = signature.slice(signature.indexOf('v1=') + 3);
      throw answerError(status, response.body, retryAfter, now(), [signature, digest, secret]);
    },
  };
}
