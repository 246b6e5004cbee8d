import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/**
 * One POST, settled with the status code once the whole answer is in, 'timeout' when that takes longer than
 * `timeoutMs`, or 'error' when the connection fails. A fresh connection each time, so nothing lingers after close.
 */
export function deliver(delivery: DeliveryRequest): Promise<DeliveryStatus> {
  return new Promise((resolve) => {
    if (delivery.signal.aborted) {
      resolve('error');
      return;
    }
    const target = new URL(delivery.url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, {
      method: 'POST',
      agent: false,
      headers: { ...delivery.headers, 'content-length': String(Buffer.byteLength(delivery.body)) },
    });
    let settled = false;
    const settle = (status: DeliveryStatus): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      delivery.signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(status);
    };
    const onAbort = (): void => settle('error');
    const timer = setTimeout(() => settle('timeout'), delivery.timeoutMs);
    delivery.signal.addEventListener('abort', onAbort, { once: true });
    req.on('response', (response) => {
      response.on('error', () => settle('error'));
      response.on('end', () => settle(response.statusCode ?? 'error'));
      response.resume();
    });
    req.on('error', () => settle('error'));
    req.end(delivery.body);
  });
}
