/**
 * `npm run bench`: how fast leads reach HubSpot (the sandbox, with HubSpot's OAuth burst limit of 110 requests per
 * 10 s) and what the worker process costs in memory. The baseline, measured in the same run on the same
 * machine, is the same service writing each lead alone (LEADSYNC_UPSERT_BATCH_WAIT_MS=0): one request per write,
 * which is how a hand-rolled integration calls HubSpot.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../src/config.js';
import { projectRoot } from '../src/project-paths.js';
import { createLogger } from '../src/service/logger.js';
import { bundleWorkflows } from '../src/service/worker.js';
import { startService } from '../src/service/service.js';
import { startTestTemporal } from '../test/helpers/temporal-server.js';
import { generateKeyString } from '../src/temporal/keys.js';

const opts = new Command()
  .option('--leads <n>', 'leads per scenario', '300')
  .option('--rate <max/ms>', 'sandbox burst limit', '110/10000')
  .parse()
  .opts<{ leads: string; rate: string }>();

interface Result {
  scenario: string;
  leads: number;
  seconds: number;
  leadsPerSecond: number;
  hubspotRequests: number;
  requestsPerLead: number;
  rateLimited: number;
  rssMiB: number;
  heapUsedMiB: number;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function scenario(
  name: string,
  batchWaitMs: number,
  temporalAddress: string,
  bundle: { code: string },
): Promise<Result> {
  const leadsCount = Number(opts.leads);
  const [max, intervalMs] = opts.rate.split('/').map(Number) as [number, number];
  console.log(`scenario ${name}: starting the service`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-bench-'));
  const config = loadConfig({
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-${name}-${Date.now()}`,
    PORT: '0',
    LEADSYNC_SANDBOX_PORT: '0',
    LEADSYNC_DATA_DIR: dataDir,
    LEADSYNC_ENCRYPTION_KEY: generateKeyString(),
    LEADSYNC_UPSERT_BATCH_WAIT_MS: String(batchWaitMs),
    LOG_LEVEL: 'error',
  });
  const service = await startService(config, createLogger('error'), {
    sandbox: { rateLimit: { max, intervalMs }, portalId: 100_000 + Math.floor(Math.random() * 1e6) },
    workflowBundle: bundle,
  });
  try {
    const sandbox = service.sandbox!;
    const leads = service.leads();
    const emails = Array.from({ length: leadsCount }, (_, i) => `bench-${name}-${i}@example.com`);
    global.gc?.();
    const before = sandbox.counters();
    const started = performance.now();
    let peakRss = process.memoryUsage().rss;
    let peakHeap = process.memoryUsage().heapUsed;
    await Promise.all(
      emails.map((email, i) => leads.register({ email, properties: { firstname: `Bench ${i}`, lastname: name } })),
    );
    for (;;) {
      const mem = process.memoryUsage();
      peakRss = Math.max(peakRss, mem.rss);
      peakHeap = Math.max(peakHeap, mem.heapUsed);
      if (sandbox.contacts.all().length >= leadsCount) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`scenario ${name}: ${leadsCount} leads in ${seconds.toFixed(1)} s`);
    const after = sandbox.counters();
    const requests =
      (after.requestsByRoute['contacts.batchUpsert'] ?? 0) - (before.requestsByRoute['contacts.batchUpsert'] ?? 0);
    return {
      scenario: name,
      leads: leadsCount,
      seconds: Math.round(seconds * 100) / 100,
      leadsPerSecond: Math.round((leadsCount / seconds) * 10) / 10,
      hubspotRequests: requests,
      requestsPerLead: Math.round((requests / leadsCount) * 100) / 100,
      rateLimited: after.rateLimited - before.rateLimited,
      rssMiB: mib(peakRss),
      heapUsedMiB: mib(peakHeap),
    };
  } finally {
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const temporal = await startTestTemporal();
  try {
    const bundle = await bundleWorkflows();
    const baseline = await scenario('baseline-one-request-per-lead', 0, temporal.address, bundle);
    const batched = await scenario('batched-upserts', 20, temporal.address, bundle);
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${mib(os.totalmem())} MiB, node ${process.version}`;
    console.log(`\nmachine: ${machine}\nsandbox limit: ${opts.rate} (requests/ms)\n`);
    console.table([baseline, batched]);
    console.log(
      `\nthroughput ratio (batched / baseline): ${(batched.leadsPerSecond / baseline.leadsPerSecond).toFixed(1)}×` +
        `\nHubSpot requests ratio (batched / baseline): ${(batched.hubspotRequests / Math.max(1, baseline.hubspotRequests)).toFixed(3)}` +
        `\npeak RSS ratio (batched / baseline): ${(batched.rssMiB / baseline.rssMiB).toFixed(2)}`,
    );
    const out = path.join(projectRoot, 'bench', 'results');
    await mkdir(out, { recursive: true });
    const file = path.join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, JSON.stringify({ machine, rate: opts.rate, results: [baseline, batched] }, null, 2));
    console.log(`\nwritten to ${path.relative(projectRoot, file)}`);
  } finally {
    await temporal.teardown();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
