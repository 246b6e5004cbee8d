import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, sendError } from './errors.js';
import type { SandboxState } from './state/sandbox-state.js';
import type { RouteIdentity } from './state/faults.js';
import type { FailNextSpec } from './types.js';

const MISSING_CREDENTIALS =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export const identityOf = (request: FastifyRequest): RouteIdentity => ({
  name: request.sandbox.meta.name,
  method: request.method,
  path: request.url.split('?')[0] ?? request.url,
});

/**
 * Runs before every handler, in HubSpot's order: latency, authentication, scopes, the rate limit, then injected
 * failures. Returns the reply when it has answered, so the handler does not run.
 */
export async function guard(state: SandboxState, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const { meta } = request.sandbox;
  if (meta.kind === 'admin') return undefined;
  const identity = identityOf(request);
  const isApi = meta.kind === 'api' || meta.kind === 'search';
  request.sandbox.randomFaults = state.faults.randomFaultsApply(identity, isApi);
  const latency = state.faults.latencyMs();
  if (request.sandbox.randomFaults && latency > 0) await delay(latency);

  if (isApi) {
    const denied = authenticate(state, request, reply) ?? limitRate(state, request, reply);
    if (denied) return denied;
  }

  const failure = state.faults.takeFailure(identity, isApi);
  if (failure) return inject(state, request, reply, failure);
  if (request.sandbox.randomFaults && state.faults.rollError()) {
    const status = [500, 502, 503, 504][Math.floor(Math.random() * 4)] ?? 500;
    return inject(state, request, reply, { status });
  }
  return undefined;
}

function authenticate(state: SandboxState, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  const auth = token === undefined ? ({ kind: 'unknown' } as const) : state.tokens.authenticate(token);
  if (auth.kind === 'unknown') {
    state.counters.unknownTokenUses += 1;
    void reply.header('x-hubspot-auth-failure', '401 Unauthorized');
    return sendError(request, reply, 401, 'INVALID_AUTHENTICATION', MISSING_CREDENTIALS);
  }
  if (auth.kind === 'expired') {
    state.counters.expiredTokenUses += 1;
    const seconds = Math.max(0, Math.floor((Date.now() - auth.expiredAt) / 1000));
    void reply.header('x-hubspot-auth-failure', '401 Unauthorized');
    return sendError(
      request,
      reply,
      401,
      'EXPIRED_AUTHENTICATION',
      `The OAuth token used to make this call expired ${seconds} second(s) ago.`,
      { context: { 'expire time': [new Date(auth.expiredAt).toISOString()] } },
    );
  }
  request.sandbox.tokenKind = auth.kind;
  const required = request.sandbox.meta.scopes;
  if (auth.kind === 'oauth' && required && !required.some((scope) => auth.scopes.includes(scope))) {
    return sendError(
      request,
      reply,
      403,
      'MISSING_SCOPES',
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
      {
        errors: [
          { message: 'One or more of the following scopes are required.', context: { requiredScopes: required } },
        ],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
      },
    );
  }
  return undefined;
}

function limitRate(state: SandboxState, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const now = Date.now();
  if (request.sandbox.meta.kind === 'search') {
    if (state.searchWindow?.take(now).allowed === false) {
      state.counters.rateLimited += 1;
      return reply.code(429).send(searchLimitBody(state, request.sandbox.correlationId));
    }
    return undefined;
  }
  if (request.sandbox.tokenKind === 'static') request.sandbox.dailyRemaining = state.daily.take(now);
  if (!state.burstWindow) return undefined;
  const decision = state.burstWindow.take(now);
  request.sandbox.rate = decision;
  if (decision.allowed) return undefined;
  state.counters.rateLimited += 1;
  return reply.code(429).send(burstLimitBody(state, request.sandbox.correlationId));
}

function groupName(state: SandboxState): string {
  return `publicapi:oauth:${state.options.appId}:${state.options.portalId}`;
}

export function burstLimitBody(state: SandboxState, correlationId: string) {
  return {
    status: 'error',
    message: 'You have reached your ten_secondly_rolling limit.',
    errorType: 'RATE_LIMIT',
    correlationId,
    policyName: 'TEN_SECONDLY_ROLLING',
    groupName: groupName(state),
  };
}

function searchLimitBody(state: SandboxState, correlationId: string) {
  return {
    status: 'error',
    message: 'You have reached your secondly limit.',
    errorType: 'RATE_LIMIT',
    correlationId,
    policyName: 'SECONDLY',
    groupName: `${groupName(state)}:search`,
  };
}

const INJECTED_CATEGORIES: Record<number, [string, string]> = {
  400: ['VALIDATION_ERROR', 'Injected validation error'],
  401: ['INVALID_AUTHENTICATION', MISSING_CREDENTIALS],
  403: ['MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call."],
  404: ['OBJECT_NOT_FOUND', 'resource not found'],
  409: ['CONFLICT', 'Injected conflict'],
  477: ['MIGRATION_IN_PROGRESS', 'Migration in progress'],
  502: ['BAD_GATEWAY', 'Bad Gateway'],
  503: ['SERVICE_UNAVAILABLE', 'Service Unavailable'],
  504: ['GATEWAY_TIMEOUT', 'Gateway Timeout'],
};

function inject(state: SandboxState, request: FastifyRequest, reply: FastifyReply, spec: FailNextSpec): FastifyReply {
  state.counters.injectedErrors += 1;
  request.sandbox.injected = true;
  void reply.code(spec.status);
  if (spec.headers) void reply.headers(spec.headers);
  if (spec.body !== undefined) return reply.send(spec.body);
  const { correlationId } = request.sandbox;
  if (spec.status === 429) return reply.send(burstLimitBody(state, correlationId));
  const [category, message] = INJECTED_CATEGORIES[spec.status] ?? ['INTERNAL_ERROR', 'internal error'];
  return reply.send(errorBody(correlationId, category, message));
}
