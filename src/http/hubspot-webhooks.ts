import type { FastifyInstance } from 'fastify';
import { parseWebhookBatch } from '../changes/webhook-events.js';
import type { InboundChange } from '../shared/change-types.js';
import { hubspotRequestUri, verifyHubSpotSignature } from './hubspot-signature.js';

/** HubSpot sends at most 100 events per request, each well under 1 KiB; this leaves room for long property values. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export interface HubSpotWebhookDeps {
  /** The app's client secret signs HubSpot's requests; without one (static tokens) there are no webhooks. */
  clientSecret?: string;
  /** LEADSYNC_PUBLIC_URL: the address HubSpot calls, which the signature covers. */
  publicUrl: () => string;
  /** The portal this service syncs; events of any other are acknowledged and dropped. */
  portalId: () => string | undefined;
  /** Hands a portal's changes durably to Temporal (its change feed workflow). */
  handOver: (portalId: string, changes: InboundChange[]) => Promise<void>;
}

/**
 * `POST /hubspot/webhooks`: HubSpot's v3-signed batches. Nothing happens before the signature checks out; a good
 * batch is in Temporal before the 2xx, since HubSpot retries anything else. The answer comes as soon as Temporal
 * has it: the routing to each lead happens in the change feed workflow, well within HubSpot's 5-second timeout.
 */
export function registerHubSpotWebhooks(app: FastifyInstance, deps: HubSpotWebhookDeps): void {
  void app.register((scope, _options, done) => {
    // The signature is over the raw bytes: the body is parsed only after it was checked.
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.post('/hubspot/webhooks', { bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, async (request, reply) => {
      if (!deps.clientSecret) {
        return reply.code(404).send({
          error: 'not_found',
          message: 'webhooks need an OAuth app (HUBSPOT_CLIENT_SECRET); with a static token HubSpot is polled instead',
        });
      }
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const verdict = verifyHubSpotSignature({
        method: request.method,
        uri: hubspotRequestUri(deps.publicUrl(), request.raw.url ?? request.url),
        rawBody,
        signature: header('x-hubspot-signature-v3'),
        timestamp: header('x-hubspot-request-timestamp'),
        clientSecret: deps.clientSecret,
      });
      if (!verdict.ok) {
        request.log.warn({ reason: verdict.reason }, 'HubSpot webhook refused: signature check failed');
        return reply
          .code(401)
          .send({ error: 'unauthorized', message: 'X-HubSpot-Signature-v3 is missing, stale or does not match' });
      }
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'invalid_input', message: 'the body is not valid JSON' });
      }
      const batch = parseWebhookBatch(body);
      if ('error' in batch) return reply.code(400).send({ error: 'invalid_input', message: batch.error });
      for (const { index, reason } of batch.ignored)
        request.log.info({ index, reason }, 'HubSpot webhook event ignored');
      const ours = deps.portalId();
      let accepted = 0;
      for (const [portalId, changes] of batch.byPortal) {
        if (portalId !== ours) {
          request.log.warn({ portalId, events: changes.length }, 'HubSpot webhook events for another portal ignored');
          continue;
        }
        await deps.handOver(portalId, changes);
        accepted += changes.length;
      }
      return reply.code(200).send({ accepted, echoes: batch.echoes, ignored: batch.ignored.length });
    });
    done();
  });
}
