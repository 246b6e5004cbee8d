import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { SandboxOptions } from '../../src/sandbox/index.js';
import { createLogger } from '../../src/service/logger.js';
import { startService, type RunningService } from '../../src/service/service.js';
import { testKeyString, workflowBundle } from './temporal.js';

export interface TestService extends RunningService {
  dataDir: string;
  taskQueue: string;
}

/**
 * The whole service as `npm start` builds it (sandbox, worker, connection workflow, HTTP API) on the run's
 * Temporal server, with its own task queue, data dir and ports so test files never share state.
 */
export async function startTestService(options: {
  temporalAddress: string;
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  /** A data dir the caller owns (to start twice on one); a fresh one, removed at stop, otherwise. */
  dataDir?: string;
}): Promise<TestService> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'leadsync-test-')));
  const taskQueue = `e2e-${randomUUID()}`;
  const config = loadConfig({
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    PORT: '0',
    LEADSYNC_SANDBOX_PORT: '0',
    LEADSYNC_DATA_DIR: dataDir,
    LEADSYNC_ENCRYPTION_KEY: testKeyString,
    LOG_LEVEL: process.env.LEADSYNC_TEST_LOG_LEVEL ?? 'error',
    ...options.env,
  });
  const removeDataDir = () => (options.dataDir ? Promise.resolve() : rm(dataDir, { recursive: true, force: true }));
  const service = await startService(config, createLogger(config.log.level), {
    sandbox: { portalId: Math.floor(Math.random() * 1e8) + 1000, ...options.sandbox },
    workflowBundle: await workflowBundle(),
  }).catch(async (err: unknown) => {
    await removeDataDir();
    throw err;
  });
  return {
    ...service,
    dataDir,
    taskQueue,
    stop: async () => {
      await service.stop();
      await removeDataDir();
    },
  };
}

/** Waits for a condition the system reaches asynchronously, checking it again and again until a deadline. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${options.what ?? 'a condition'}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
