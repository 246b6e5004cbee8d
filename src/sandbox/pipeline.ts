import type { FastifyInstance } from 'fastify';
import { UNKNOWN_ROUTE } from './context.js';
import { toExchange } from './exchange-recorder.js';
import { guard, identityOf } from './guard.js';
import { newCorrelationId } from './ids.js';
import type { SandboxState } from './state/sandbox-state.js';

/** The hooks every request passes: correlation id and counters, the guard, then limit headers, drops and recording. */
export function installPipeline(app: FastifyInstance, state: SandboxState): void {
  app.addHook('onRequest', async (request, reply) => {
    const meta = request.routeOptions.config.sandbox ?? UNKNOWN_ROUTE;
    request.sandbox = { correlationId: newCorrelationId(), meta, randomFaults: false, injected: false };
    void reply.header('x-hubspot-correlation-id', request.sandbox.correlationId);
    if (meta.kind === 'admin') return;
    state.countRoute(meta.name);
    if (meta.kind === 'token') state.counters.tokenEndpointCalls += 1;
  });

  app.addHook('preHandler', async (request, reply) => guard(state, request, reply));

  app.addHook('onSend', async (request, reply, payload) => {
    // Any call but a read may have changed the state (a search says so needlessly, which costs nothing): the state
    // file's saver batches these. It runs here because a dropped answer never reaches onResponse.
    if (request.method !== 'GET' && request.method !== 'HEAD') state.onChange();
    const { meta, rate, dailyRemaining, injected, randomFaults } = request.sandbox;
    if (meta.kind === 'admin') return payload;
    if (rate) {
      void reply.headers({
        'x-hubspot-ratelimit-interval-milliseconds': String(rate.intervalMs),
        'x-hubspot-ratelimit-max': String(rate.max),
        'x-hubspot-ratelimit-remaining': String(rate.remaining),
      });
    }
    if (dailyRemaining !== undefined) {
      void reply.headers({
        'x-hubspot-ratelimit-daily': String(state.daily.max),
        'x-hubspot-ratelimit-daily-remaining': String(dailyRemaining),
      });
    }
    const succeeded = reply.statusCode >= 200 && reply.statusCode < 300 && !injected;
    const isApiWrite = meta.write === true && meta.kind === 'api';
    if (succeeded && isApiWrite) state.counters.writesApplied += 1;
    const drop =
      succeeded &&
      (state.faults.takeDrop(identityOf(request), isApiWrite) !== undefined ||
        (isApiWrite && randomFaults && state.faults.rollDrop()));
    if (state.options.recordExchanges) state.exchanges.push(toExchange(request, reply, payload, drop));
    if (drop) {
      state.counters.dropped += 1;
      // The answer never finishes, so onResponse will not log this request.
      request.log.info(
        { route: meta.name, method: request.method },
        'sandbox applied the call and dropped the connection',
      );
      request.raw.socket.destroy();
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const { meta } = request.sandbox;
    request.log.info(
      { route: meta.name, method: request.method, statusCode: reply.statusCode, responseTime: reply.elapsedTime },
      'sandbox request',
    );
  });
}
