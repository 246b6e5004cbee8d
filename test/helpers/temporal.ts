import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { installQuietRuntime, startTestTemporal, type TestTemporal } from './temporal-server.js';
import { bundleWorkflows } from '../../src/service/worker.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { generateKeyString, parseEncryptionKeys } from '../../src/temporal/keys.js';

/**
 * The test file's handle on the run's Temporal server: the shared one started by `npm test`, or, when a
 * file is run on its own, a dev server of its own.
 */
export async function connectTemporal(): Promise<{ env: TestWorkflowEnvironment; close: () => Promise<void> }> {
  let own: TestTemporal | undefined;
  let address = process.env.LEADSYNC_TEST_TEMPORAL_ADDRESS;
  if (!address) {
    own = await startTestTemporal();
    address = own.address;
  }
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address,
    client: { dataConverter: testDataConverter },
  });
  return {
    env,
    close: async () => {
      await env.teardown();
      await own?.teardown();
    },
  };
}

let bundle: Promise<{ code: string }> | undefined;

/** Bundles the workflows once per test process; webpack is the slow part of starting a worker. */
export function workflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflows();
  return bundle;
}

/** A fresh key per test process: tests prove the history holds ciphertext, never a shared secret. */
export const testKeyString = generateKeyString();
export const testDataConverter = createDataConverter(parseEncryptionKeys(testKeyString));

export type TestWorkerOptions = Partial<Omit<WorkerOptions, 'connection' | 'taskQueue'>> & { taskQueue?: string };

/** Runs `fn` while a worker polls a fresh task queue, so tests never see each other's tasks. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  options: TestWorkerOptions,
  fn: (ctx: { taskQueue: string; worker: Worker }) => Promise<T>,
): Promise<T> {
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const worker = await Worker.create({
    workflowBundle: await workflowBundle(),
    dataConverter: testDataConverter,
    ...options,
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
  });
  return worker.runUntil(fn({ taskQueue, worker }));
}
