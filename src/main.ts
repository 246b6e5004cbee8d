import { config as loadDotenv } from 'dotenv';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, temporalLogger } from './service/logger.js';
import { startService } from './service/service.js';
import { onStopSignals, signalExitCode } from './service/stop-signals.js';

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
  let requestStop: (exitCode: number) => void = () => undefined;
  const stopRequested = new Promise<number>((resolve) => (requestStop = resolve));
  onStopSignals({
    stop: (signal) => {
      logger.info({ signal }, 'shutting down; another signal a second or more later forces the exit');
      requestStop(0);
    },
    // The embedded dev server gets SIGTERM from the kernel when we die (Linux); elsewhere the next start stops it.
    force: (signal) => {
      logger.warn({ signal }, 'second signal: exiting without waiting for the clean stop');
      process.exit(signalExitCode(signal));
    },
  });

  const service = await startService(config, logger);
  service.workerDone.catch((err: unknown) => {
    logger.error({ reason: (err as Error).message }, 'the worker stopped unexpectedly');
    requestStop(1);
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
  const exitCode = await stopRequested;
  // stop() logs what fails on the way and always finishes: whatever could be stopped has been.
  await service.stop();
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
