import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { RequestContext } from './context.js';
import { errorBody } from './errors.js';
import { newCorrelationId } from './ids.js';
import { installPipeline } from './pipeline.js';
import { registerAccountInfoRoutes } from './routes/account-info.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAdminCrmRoutes } from './routes/admin-crm.js';
import { registerAdminWebhookRoutes } from './routes/admin-webhooks.js';
import { registerAuthorizePage } from './routes/oauth-authorize.js';
import { registerCommPrefs202603Routes } from './routes/comm-prefs-2026-03.js';
import { registerCommPrefsV3Routes } from './routes/comm-prefs-v3.js';
import { registerContactBasicRoutes } from './routes/contacts-basic.js';
import { registerContactBatchRoutes } from './routes/contacts-batch.js';
import { registerContactSearchRoutes } from './routes/contacts-search.js';
import { registerCrmPropertyRoutes } from './routes/crm-properties.js';
import { registerOAuthInfoRoutes } from './routes/oauth-v1-info.js';
import { registerOAuthTokenRoutes } from './routes/oauth-token.js';
import type { SandboxState } from './state/sandbox-state.js';

class BadJsonError extends Error {
  readonly statusCode = 400;
}

export function buildApp(state: SandboxState): FastifyInstance {
  const { logger } = state.options;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // Fastify's own request lines carry URLs, and some OAuth URLs carry tokens; the pipeline logs route names instead.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    // Path parameters hold emails and OAuth tokens, which HubSpot allows to be several hundred characters long.
    routerOptions: { maxParamLength: 2048 },
  });

  app.decorateRequest('sandbox', null as unknown as RequestContext);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new BadJsonError(`Invalid input JSON: ${(error as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const clientError = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500;
    if (!clientError) request.log.error({ err: error }, 'sandbox handler failed');
    const correlationId = request.sandbox?.correlationId ?? newCorrelationId();
    const body = clientError
      ? errorBody(correlationId, 'VALIDATION_ERROR', error.message)
      : errorBody(correlationId, 'INTERNAL_ERROR', 'internal error');
    return reply.code(clientError ? (error.statusCode ?? 400) : 500).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(request.sandbox.correlationId, 'OBJECT_NOT_FOUND', 'resource not found')),
  );

  installPipeline(app, state);
  registerContactBasicRoutes(app, state);
  registerContactBatchRoutes(app, state);
  registerContactSearchRoutes(app, state);
  registerCrmPropertyRoutes(app, state);
  registerCommPrefsV3Routes(app, state);
  registerCommPrefs202603Routes(app, state);
  registerOAuthTokenRoutes(app, state);
  registerOAuthInfoRoutes(app, state);
  registerAuthorizePage(app, state);
  registerAccountInfoRoutes(app, state);
  registerAdminRoutes(app, state);
  registerAdminWebhookRoutes(app, state);
  registerAdminCrmRoutes(app, state);
  return app;
}
