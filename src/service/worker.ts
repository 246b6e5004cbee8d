import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { BackendWebhook } from '../deliveries/backend-webhook.js';
import { bundleWorkflowCode, Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { OAuthTokenApi } from '../activities/tokens.js';
import type { PortalSessions } from '../portals/portal-session.js';
import { failureConverterPath } from '../temporal/data-converter.js';
import { workflowsPath } from '../temporal/workflow-bundle.js';

export interface ServiceWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dataConverter: DataConverter;
  portal: PortalSessions;
  oauth?: OAuthTokenApi;
  client: Client;
  backend?: BackendWebhook;
  shutdownGraceMs: number;
  workflowCacheSize: number;
  /** A prebuilt bundle (tests bundle once per process); otherwise the workflows are bundled at start. */
  workflowBundle?: { code: string };
}

/** The worker of `npm start` and `npm run worker`: every workflow and activity, one task queue. */
export async function createServiceWorker(o: ServiceWorkerOptions): Promise<Worker> {
  const workflowBundle = o.workflowBundle ?? (await bundleWorkflows());
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowBundle,
    activities: createActivities({ portal: o.portal, oauth: o.oauth, client: o.client, backend: o.backend }),
    dataConverter: o.dataConverter,
    shutdownGraceTime: o.shutdownGraceMs,
    // Measured with `npm run bench` (bench/README.md): with 250 cached workflows 10,000 idle leads take 1.4x the
    // memory of 100 (100 cached: 1.2x), and registers run as fast as with the SDK's default cache of thousands.
    // Evicted leads replay their short histories when their next event comes. Not 100: one test run with 100
    // cached and 200 busy, queried leads hung in an SDK Core eviction edge case (see CHANGELOG.md).
    maxCachedWorkflows: o.workflowCacheSize,
    maxConcurrentWorkflowTaskExecutions: Math.min(40, o.workflowCacheSize),
    // Encryption grows payloads by a fixed amount; the server's own limit is the one that matters.
    disablePayloadErrorLimit: true,
  });
}

/** Bundles the workflows (webpack) with only warnings and errors reported; its module listing is noise at start. */
export function bundleWorkflows(): Promise<{ code: string }> {
  const silent = () => undefined;
  return bundleWorkflowCode({
    workflowsPath,
    failureConverterPath,
    logger: {
      trace: silent,
      debug: silent,
      info: silent,
      log: silent,
      warn: (m) => console.warn(m),
      error: (m) => console.error(m),
    },
  });
}
