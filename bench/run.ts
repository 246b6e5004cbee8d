/**
 * `npm run bench`: what the service achieves on this machine, each number next to a baseline measured in the
 * same run on the same dev server. See bench/README.md for the scenarios.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultCacheDir } from '../src/project-paths.js';
import { resolveTemporalCli } from '../src/temporal/cli.js';
import { DEV_SERVER_SQLITE_PRAGMAS, startDevServer } from '../src/temporal/dev-server.js';
import { freePort } from '../test/helpers/net.js';
import { bundleWorkflows } from '../src/service/worker.js';
import { installQuietRuntime, startTestTemporal } from '../test/helpers/temporal-server.js';
import { parseBenchOptions, type BenchOptions, type ScenarioName } from './options.js';
import { machineDescription, printReport, writeResults, type ScenarioResult } from './report.js';
import { runHttpRegister } from './scenarios/http-register.js';
import { runHubSpotBudget } from './scenarios/hubspot-budget.js';
import { runHubSpotChanges } from './scenarios/hubspot-changes.js';
import { runIdleMemory } from './scenarios/idle-memory.js';
import { runImport } from './scenarios/import.js';
import { runTemporalCeiling } from './scenarios/temporal-ceiling.js';

interface RunContext {
  temporalAddress: string;
  runId: string;
  options: BenchOptions;
  serviceBundle: () => Promise<{ code: string }>;
}

function runScenario(name: ScenarioName, ctx: RunContext): Promise<ScenarioResult> {
  const { options, temporalAddress, runId } = ctx;
  const common = { temporalAddress, concurrency: options.concurrency, serviceEnv: options.serviceEnv };
  switch (name) {
    case 'temporal-ceiling':
      return runTemporalCeiling({ ...common, workflows: options.leads, activity: 'regular' });
    case 'temporal-ceiling-local':
      return runTemporalCeiling({ ...common, workflows: options.leads, activity: 'local' });
    case 'http-register':
      return ctx
        .serviceBundle()
        .then((workflowBundle) => runHttpRegister({ ...common, workflowBundle, runId, leads: options.leads }));
    case 'hubspot-budget':
      return ctx
        .serviceBundle()
        .then((workflowBundle) =>
          runHubSpotBudget({ ...common, workflowBundle, runId, leads: options.budgetLeads, rate: options.rate }),
        );
    case 'idle-memory':
      return ctx.serviceBundle().then((workflowBundle) =>
        runIdleMemory({
          ...common,
          workflowBundle,
          runId,
          baseLeads: options.idleBaseLeads,
          leads: options.idleLeads,
        }),
      );
    case 'hubspot-changes':
      return ctx.serviceBundle().then((workflowBundle) =>
        runHubSpotChanges({
          ...common,
          workflowBundle,
          runId,
          leads: options.changeLeads,
          pollLeads: options.pollLeads,
          pollIntervalMs: options.pollIntervalMs,
          changeWindowMs: options.changeWindowMs,
        }),
      );
    case 'import':
      return ctx.serviceBundle().then((workflowBundle) =>
        runImport({
          ...common,
          workflowBundle,
          runId,
          leads: options.importRows,
          rows: options.importRows,
          checkRows: options.checkRows,
          importArgs: options.importArgs,
        }),
      );
  }
}

/** The dev server the scenarios share: the test harness's in memory, or `npm start`'s on a SQLite file. */
async function startTemporal(
  options: BenchOptions,
): Promise<{ address: string; source: string; teardown(): Promise<void> }> {
  if (options.temporal === 'memory') return startTestTemporal();
  const cli = await resolveTemporalCli({ cacheDir: defaultCacheDir, log: (m) => console.log(m) });
  if (cli.executable.type !== 'existing-path') throw new Error('no Temporal CLI binary for the dev server');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-bench-temporal-'));
  const server = await startDevServer({
    cliPath: cli.executable.path,
    dataDir,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    sqlitePragmas: options.sqlitePragmas,
  });
  installQuietRuntime();
  const pragmas = JSON.stringify(options.sqlitePragmas ?? DEV_SERVER_SQLITE_PRAGMAS);
  return {
    address: server.address,
    source: `${cli.source}, SQLite file, pragmas ${pragmas}`,
    teardown: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const options = parseBenchOptions();
  const temporal = await startTemporal(options);
  let bundle: Promise<{ code: string }> | undefined;
  const ctx: RunContext = {
    temporalAddress: temporal.address,
    runId: randomUUID().slice(0, 8),
    options,
    // Bundled before any timing starts, and once for every scenario that runs the service.
    serviceBundle: () => (bundle ??= bundleWorkflows()),
  };
  try {
    const results: ScenarioResult[] = [];
    for (const name of options.scenarios) {
      console.log(`scenario ${name}: running`);
      const result = await runScenario(name, ctx);
      console.log(`scenario ${name}: done`);
      results.push(result);
    }
    const machine = machineDescription();
    console.log(`\nmachine: ${machine}\nTemporal CLI found in: ${temporal.source}`);
    printReport(results);
    const file = await writeResults({ machine, temporal: temporal.source, options, results });
    console.log(`\nwritten to ${file}`);
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
