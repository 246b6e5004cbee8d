import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config.js';
import { createBackendWebhook } from './deliveries/backend-webhook.js';
import { defaultDataDir } from './project-paths.js';
import { createLogger, temporalLogger } from './service/logger.js';
import { hubspotDeps } from './service/hubspot-deps.js';
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
  Runtime.install({ logger: temporalLogger(logger, 'INFO') });
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
    const worker = await createServiceWorker({
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
    logger.info({ taskQueue: config.temporal.taskQueue, address: temporal.address }, 'worker polling');
    // The SDK's Runtime handles SIGINT/SIGTERM: polling stops, in-flight activities get the grace time.
    await worker.run();
  } finally {
    await temporal.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
