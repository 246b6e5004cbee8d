import { config as loadDotenv } from 'dotenv';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, temporalLogger } from './service/logger.js';
import { startService, type RunningService } from './service/service.js';

/** `npm start`: the whole service on embedded defaults, stopped cleanly by SIGINT or SIGTERM. */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.log.level);
  // We own the signals: the worker drains first, then the HTTP server, then the embedded Temporal.
  Runtime.install({ logger: temporalLogger(logger, 'INFO'), shutdownSignals: [] });

  // Signals are ours from the first moment, so one arriving during start-up still stops what was started.
  let stopping = false;
  const running: { service?: RunningService } = {};
  const shutdown = (signal: NodeJS.Signals, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    if (!running.service) return;
    running.service.stop().then(
      () => process.exit(code),
      (err: unknown) => {
        logger.error({ reason: (err as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Node passes the signal number as a second argument: keep it away from the exit code.
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const service = await startService(config, logger);
  running.service = service;
  if (stopping) {
    await service.stop();
    process.exit(0);
  }
  service.workerDone.catch((err: unknown) => {
    logger.error({ reason: (err as Error).message }, 'the worker stopped unexpectedly');
    stopping = false;
    shutdown('SIGTERM', 1);
  });
  console.log(
    [
      '',
      'HubSpot Lead Sync is running',
      `  HTTP API      ${service.httpUrl}  (GET /healthz)`,
      `  Temporal      ${service.temporalAddress}`,
      ...(service.uiUrl ? [`  Temporal UI   ${service.uiUrl}`] : []),
      ...(service.sandbox
        ? [`  HubSpot       SANDBOX at ${service.sandbox.baseUrl} (no HubSpot credentials given)`]
        : []),
      `  Portal        ${service.portalId() ?? 'not connected yet: open /oauth/install'}`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
