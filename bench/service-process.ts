/**
 * The service in a process of its own, for `idle-memory`: its RSS then holds the worker, the HTTP API and
 * their connections, and neither the bench's load generator nor the sandbox. Configured by the environment
 * like `npm start`; the workflow bundle comes prebuilt (argv[2]) so webpack's garbage never counts.
 */
import { readFile } from 'node:fs/promises';
import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../src/config.js';
import { createLogger, temporalLogger } from '../src/service/logger.js';
import { startService, type RunningService } from '../src/service/service.js';
import type { ChildMessage, ParentRequest } from './lib/service-child-protocol.js';

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const bundlePath = process.argv[2];
  if (!bundlePath || !process.send) throw new Error('run by the bench: fork with an IPC channel and a bundle path');
  const config = loadConfig(process.env);
  const logger = createLogger(config.log.level);
  Runtime.install({ logger: temporalLogger(logger, 'ERROR'), shutdownSignals: [] });
  const service: RunningService = await startService(config, logger, {
    workflowBundle: { code: await readFile(bundlePath, 'utf8') },
  });

  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    service.stop().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.on('message', (request: ParentRequest) => {
    if (request.type === 'stop') return stop(0);
    if (request.gc) global.gc?.();
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      gcForced: request.gc && global.gc !== undefined,
      heapUsedBytes: process.memoryUsage().heapUsed,
      cpuMicros: cpu.user + cpu.system,
    });
  });
  // The bench gone (crashed or killed) means nobody will ever ask this process to stop.
  process.on('disconnect', () => stop(0));
  service.workerDone.catch((err: unknown) => {
    send({ type: 'failed', message: `the worker stopped: ${(err as Error).message}` });
    stop(1);
  });
  send({ type: 'ready', httpUrl: service.httpUrl });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: (err as Error).message });
  process.exit(1);
});
