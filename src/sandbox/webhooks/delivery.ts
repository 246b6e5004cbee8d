import got, { TimeoutError } from 'got';
import type { WebhookAttempt } from '../types.js';

export type DeliveryStatus = WebhookAttempt['status'];

export interface DeliveryRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the request (the sandbox is closing or resetting); it then ends as 'error'. */
  signal: AbortSignal;
}

// One try per attempt (the dispatcher retries as HubSpot does), every answer a status, no redirect followed, and
// `connection: close`, so no socket lingers after the sandbox closes.
const client = got.extend({
  retry: { limit: 0 },
  throwHttpErrors: false,
  followRedirect: false,
  headers: { connection: 'close' },
});

/**
 * One POST, settled with the status code once the whole answer is in, 'timeout' when that takes longer than
 * `timeoutMs`, or 'error' when the connection fails or the request is aborted.
 */
export async function deliver(delivery: DeliveryRequest): Promise<DeliveryStatus> {
  try {
    const response = await client.post(delivery.url, {
      body: delivery.body,
      headers: delivery.headers,
      timeout: { request: delivery.timeoutMs },
      signal: delivery.signal,
    });
    return response.statusCode;
  } catch (err) {
    return err instanceof TimeoutError ? 'timeout' : 'error';
  }
}
