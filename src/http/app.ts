import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Connection, Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { LeadSyncClient } from '../client/lead-sync-client.js';
import { connectionStatus } from '../service/connection.js';
import { requireApiKey } from './auth.js';
import { registerCodecEndpoint } from './codec-endpoint.js';
import { registerErrorHandler } from './errors.js';
import { registerHealth } from './health.js';
import { registerHubSpotWebhooks, type HubSpotWebhookDeps } from './hubspot-webhooks.js';
import { registerJsonBody } from './json-body.js';
import { registerLeadBatchRoutes } from './lead-batch.js';
import { registerLeadListRoute } from './lead-list.js';
import { registerLeadRoutes } from './leads.js';
import { registerOAuthRoutes, type OAuthRouteDeps } from './oauth.js';
import { registerOpenApi } from './openapi.js';
import { registerPortalRoutes } from './portals.js';

export const BODY_LIMIT_BYTES = 256 * 1024;

export class PortalNotConnectedError extends Error {
  readonly statusCode = 503;
  constructor() {
    super('no HubSpot portal is connected yet: complete the install at GET /oauth/install');
  }
}

export interface HttpAppDeps {
  logger: Logger;
  connection: Connection;
  client: Client;
  namespace: string;
  hubspotMode: string;
  apiKey?: string;
  codec: PayloadCodec;
  uiOrigins: string[];
  leads: () => LeadSyncClient;
  portalId: () => string | undefined;
  oauth?: OAuthRouteDeps;
  webhooks: HubSpotWebhookDeps;
}

/** The service's HTTP face: lead API, connection status, OAuth install, HubSpot's webhooks, codec endpoint, health. */
export function buildHttpApp(deps: HttpAppDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // One line per request from the onResponse hook below instead: it names the route, never the raw URL.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    return Promise.resolve();
  });
  registerErrorHandler(app);
  registerJsonBody(app);
  const auth = requireApiKey({ apiKey: deps.apiKey });
  registerHealth(app, { connection: deps.connection, namespace: deps.namespace, mode: deps.hubspotMode });
  registerOpenApi(app);
  registerCodecEndpoint(app, { codec: deps.codec, apiKey: deps.apiKey, uiOrigins: deps.uiOrigins });
  registerLeadRoutes(app, { leads: deps.leads, auth });
  registerLeadBatchRoutes(app, { leads: deps.leads, auth });
  registerLeadListRoute(app, { leads: deps.leads, auth });
  registerPortalRoutes(app, { client: deps.client, portalId: deps.portalId, auth });
  app.get('/v1/connection', { preHandler: auth }, async (_request, reply) => {
    const portalId = deps.portalId();
    if (!portalId) throw new PortalNotConnectedError();
    return reply.send(await connectionStatus(deps.client, portalId));
  });
  if (deps.oauth) registerOAuthRoutes(app, deps.oauth);
  registerHubSpotWebhooks(app, deps.webhooks);
  return app;
}
