import { createHmac } from 'node:crypto';

export const USER_AGENT = 'HubSpot Connect 2.0 (sandbox)';

/** HubSpot's v3 signature: base64 HMAC-SHA256, keyed with the app's client secret, of method + URL + body + timestamp. */
export function signatureV3(clientSecret: string, url: string, body: string, timestamp: string): string {
  return createHmac('sha256', clientSecret).update(`POST${url}${body}${timestamp}`, 'utf8').digest('base64');
}

/** The headers of one delivery; `url` is the target exactly as configured, which is what HubSpot signs. */
export function deliveryHeaders(clientSecret: string, url: string, body: string, timestamp: string) {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-hubspot-signature-version': 'v3',
    'x-hubspot-signature-v3': signatureV3(clientSecret, url, body, timestamp),
    'x-hubspot-request-timestamp': timestamp,
  };
}
