import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { Runtime, type Worker } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config.js';
import { createBackendWebhook } from './deliveries/backend-webhook.js';
import { defaultDataDir } from './project-paths.js';
import { createLogger, temporalLogger } from './service/logger.js';
import { hubspotDeps } from './service/hubspot-deps.js';
import { onStopSignals, signalExitCode } from './service/stop-signals.js';
import { createServiceWorker } from './service/worker.js';
import { connectTemporal } from './temporal/connect.js';
import { createDataConverter } from './temporal/data-converter.js';
import { encryptionKeys } from './service/encryption-keys.js';

/**
 * `npm run worker`: one more worker for the same task queue, for scale-out. It runs no HTTP server and no
 * embedded Temporal; it connects by the TEMPORAL_* variables (localhost:7233 by default) and needs the same
 * HubSpot credentials and encryption keys as the service.
 */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const config = loadConfig();
  const credentials = config.hubspot.credentials;
  if (credentials.mode === 'sandbox') {
    throw new ConfigError([
      'HUBSPOT_ACCESS_TOKEN or HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET: a standalone worker needs HubSpot credentials',
    ]);
  }
  const logger = createLogger(config.log.level);
  // The SDK's own handler gives the signal back to Node after the first one, so the copy npm forwards of a Ctrl-C
  // can kill the worker mid-drain (a race, lost about one time in six here): we own the signals instead.
  Runtime.install({ logger: temporalLogger(logger, 'INFO'), shutdownSignals: [] });
  let worker: Worker | undefined;
  let stopRequested = false;
  onStopSignals({
    stop: (signal) => {
      logger.info({ signal }, 'stopping: polling ends, in-flight activities get the grace time');
      stopRequested = true;
      if (worker?.getState() === 'RUNNING') worker.shutdown();
    },
    force: (signal) => {
      logger.warn({ signal }, 'second signal: exiting without waiting for in-flight activities');
      process.exit(signalExitCode(signal));
    },
  });
  const keys = await encryptionKeys(config.encryptionKeys, path.resolve(config.dataDir ?? defaultDataDir), logger);
  const dataConverter = createDataConverter(keys);
  const temporal = await connectTemporal({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    dataConverter,
  });
  const { portal, oauth } = hubspotDeps(config.hubspot, credentials, temporal.client, {
    upsertBatchWaitMs: config.upsertBatchWaitMs,
    upsertPacingMs: config.upsertPacingMs,
  });
  try {
    worker = await createServiceWorker({
      connection: temporal.native,
      namespace: temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      dataConverter,
      shutdownGraceMs: config.shutdownGraceMs,
      workflowCacheSize: config.workflowCacheSize,
      portal,
      oauth,
      client: temporal.client,
      backend: config.backendWebhook ? createBackendWebhook(config.backendWebhook) : undefined,
    });
    if (stopRequested) return;
    logger.info({ taskQueue: config.temporal.taskQueue, address: temporal.address }, 'worker polling');
    await worker.run();
  } finally {
    await temporal.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
