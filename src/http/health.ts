import type { FastifyInstance } from 'fastify';
import type { Connection } from '@temporalio/client';

/** Liveness for load balancers and `npm start` checks: 200 only while Temporal answers. */
export function registerHealth(
  app: FastifyInstance,
  deps: { connection: Connection; namespace: string; mode: string },
): void {
  app.get('/healthz', async (_request, reply) => {
    const started = Date.now();
    try {
      await deps.connection.withDeadline(Date.now() + 2_000, () => deps.connection.workflowService.getSystemInfo({}));
      return reply.send({
        status: 'ok',
        temporal: { reachable: true, namespace: deps.namespace, latencyMs: Date.now() - started },
        hubspot: { mode: deps.mode },
      });
    } catch (err) {
      return reply
        .code(503)
        .send({ status: 'unavailable', temporal: { reachable: false, error: (err as Error).message.split('\n')[0] } });
    }
  });
}
