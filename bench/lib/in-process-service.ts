import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { createLogger } from '../../src/service/logger.js';
import { startService, type RunningService } from '../../src/service/service.js';
import { generateKeyString } from '../../src/temporal/keys.js';
import type { RateLimit } from '../options.js';

export interface BenchService extends RunningService {
  sandbox: Sandbox;
}

/**
 * The whole service as `npm start` builds it against its built-in sandbox, on the bench's dev server, with a
 * fresh task queue, data dir, key and portal, so no scenario sees another's leads.
 */
export async function startBenchService(options: {
  name: string;
  temporalAddress: string;
  workflowBundle: { code: string };
  env: Record<string, string>;
  rateLimit: RateLimit;
}): Promise<BenchService> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-bench-'));
  const config = loadConfig({
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-${options.name}-${randomUUID()}`,
    PORT: '0',
    LEADSYNC_SANDBOX_PORT: '0',
    LEADSYNC_DATA_DIR: dataDir,
    LEADSYNC_ENCRYPTION_KEY: generateKeyString(),
    LOG_LEVEL: 'error',
    // The service's own budget is the sandbox's limit, as an operator sets it for their portal.
    HUBSPOT_RATE_LIMIT: String(
      Math.min(10_000, Math.round((options.rateLimit.max * 10_000) / options.rateLimit.intervalMs)),
    ),
    ...options.env,
  });
  let service: RunningService;
  try {
    service = await startService(config, createLogger('error'), {
      sandbox: { rateLimit: options.rateLimit, portalId: 100_000 + Math.floor(Math.random() * 1e6) },
      workflowBundle: options.workflowBundle,
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const { sandbox } = service;
  if (!sandbox) throw new Error('the service started without its sandbox; are HUBSPOT_* variables set?');
  return {
    ...service,
    sandbox,
    stop: async () => {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
