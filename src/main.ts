import { config as loadDotenv } from 'dotenv';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, temporalLogger } from './service/logger.js';
import { startService } from './service/service.js';

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

  const service = await startService(config, logger);
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

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ reason: (err as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
