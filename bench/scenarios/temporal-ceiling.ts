import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { connectTemporal } from '../../src/temporal/connect.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { generateKeyString, parseEncryptionKeys } from '../../src/temporal/keys.js';
import { createCeilingActivities } from '../ceiling/activities.js';
import { bundleCeilingWorkflows } from '../ceiling/bundle.js';
import { ceilingEventSignal, type CeilingEvent, type CeilingInput } from '../ceiling/messages.js';
import type { ceilingLead } from '../ceiling/workflows.js';
import { mib, PeakRss } from '../lib/memory.js';
import { deadlineFor, waitUntil } from '../lib/wait.js';

export interface CeilingResult {
  scenario: 'temporal-ceiling' | 'temporal-ceiling-local';
  workflows: number;
  seconds: number;
  workflowsPerSecond: number;
  peakRssMiB: number;
}

/**
 * Temporal's throughput for our workflow shape with no work in it: signal-with-start carrying a small event,
 * one no-op activity, completion. Same dev server and same encrypting data converter as the service.
 */
export async function runTemporalCeiling(options: {
  temporalAddress: string;
  workflows: number;
  concurrency: number;
  activity: CeilingInput['activity'];
}): Promise<CeilingResult> {
  const scenario = options.activity === 'local' ? 'temporal-ceiling-local' : 'temporal-ceiling';
  const dataConverter = createDataConverter(parseEncryptionKeys(generateKeyString()));
  const temporal = await connectTemporal({
    embeddedAddress: options.temporalAddress,
    namespace: 'default',
    dataConverter,
  });
  try {
    const taskQueue = `bench-${scenario}-${randomUUID()}`;
    const worker = await Worker.create({
      connection: temporal.native,
      namespace: temporal.namespace,
      taskQueue,
      workflowBundle: await bundleCeilingWorkflows(),
      activities: createCeilingActivities(),
      dataConverter,
    });
    const peak = new PeakRss();
    const { startedAt, lastClosedAt } = await worker.runUntil(async () => {
      const startedAt = Date.now();
      await startAll(temporal.client, taskQueue, options);
      await waitUntil(async () => (await completed(temporal.client, taskQueue)) >= options.workflows, {
        what: `${options.workflows} ${scenario} workflows to complete`,
        timeoutMs: deadlineFor(options.workflows),
        intervalMs: 250,
        progress: async () => `${await completed(temporal.client, taskQueue)} completed`,
      });
      return { startedAt, lastClosedAt: await lastCloseTime(temporal.client, taskQueue) };
    });
    const peakRss = peak.stop();
    const seconds = (lastClosedAt - startedAt) / 1000;
    return {
      scenario,
      workflows: options.workflows,
      seconds: Math.round(seconds * 100) / 100,
      workflowsPerSecond: Math.round((options.workflows / seconds) * 10) / 10,
      peakRssMiB: mib(peakRss),
    };
  } finally {
    await temporal.close();
  }
}

async function startAll(
  client: Client,
  taskQueue: string,
  options: { workflows: number; concurrency: number; activity: CeilingInput['activity'] },
): Promise<void> {
  let next = 0;
  const starter = async () => {
    for (let i = next++; i < options.workflows; i = next++) {
      const email = `ceiling-${i}@example.com`;
      const event: CeilingEvent = {
        eventId: randomUUID(),
        email,
        properties: { firstname: `Bench ${i}`, lastname: 'ceiling' },
        receivedAt: new Date().toISOString(),
      };
      await client.workflow.signalWithStart<typeof ceilingLead, [CeilingEvent]>('ceilingLead', {
        workflowId: `${taskQueue}-${i}`,
        taskQueue,
        args: [{ email, activity: options.activity }],
        signal: ceilingEventSignal,
        signalArgs: [event],
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.workflows) }, starter));
}

function completed(client: Client, taskQueue: string): Promise<number> {
  return client.workflow
    .count(`TaskQueue = "${taskQueue}" AND ExecutionStatus = "Completed"`)
    .then((result) => result.count);
}

/**
 * The server's own close times, so the polling interval above does not add to the measured time. Visibility
 * lags a little behind the workflows, which is why it is only read once every workflow shows as completed.
 */
async function lastCloseTime(client: Client, taskQueue: string): Promise<number> {
  let last = 0;
  for await (const execution of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
    last = Math.max(last, execution.closeTime?.getTime() ?? 0);
  }
  return last;
}
