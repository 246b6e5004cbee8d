import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImportSummary } from '../../src/cli/import/run-import.js';
import { startCli } from '../../test/helpers/cli-process.js';
import type { ServiceScenarioOptions } from '../lib/service-scenario.js';
import { startBenchService } from '../lib/in-process-service.js';
import { mib, PeakRss } from '../lib/memory.js';

export interface ImportRun {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** The `leadsync` process's own peak RSS (VmHWM), the number that must not grow with the file. */
  cliPeakRssMiB: number;
}

export interface ImportResult {
  scenario: 'import';
  /** `leadsync import --wait` of new leads, through the service into the sandbox, HubSpot's limit out of the way. */
  full: ImportRun & { batchUpserts: number; rateLimited: number; servicePeakRssMiB: number };
  /** `leadsync import --check` of a small and a ten times larger file: the reader's memory with file size. */
  check: { small: ImportRun; large: ImportRun; rssRatio: number };
}

/** A CSV of new leads: six columns, one quoted with a comma, like an export from another CRM. */
async function writeCsv(file: string, rows: number, prefix: string): Promise<void> {
  const lines = ['email,firstname,lastname,jobtitle,company,city'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `${prefix}-${i}@example.com,First ${i},Last ${i},"Engineer, level ${i % 7}",Company ${i % 97},City ${i % 13}`,
    );
  }
  await writeFile(file, `${lines.join('\n')}\n`);
}

/** Runs `leadsync` as its own process; its peak RSS is sampled from /proc while it runs. */
async function leadsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ summary: ImportSummary; peakKiB: number }> {
  const { child, exited } = startCli([...args, '--json', '--no-progress'], env);
  let peakKiB = 0;
  const sample = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (status) => (peakKiB = Math.max(peakKiB, Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0))),
      () => undefined,
    );
  }, 50);
  const { code, stdout, stderr } = await exited.finally(() => clearInterval(sample));
  if (code !== 0) throw new Error(`leadsync ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { summary: JSON.parse(stdout) as ImportSummary, peakKiB };
}

const run = (summary: ImportSummary, peakKiB: number): ImportRun => ({
  rows: summary.rows,
  seconds: summary.seconds,
  rowsPerSecond: summary.rowsPerSecond,
  cliPeakRssMiB: mib(peakKiB * 1024),
});

export async function runImport(
  options: ServiceScenarioOptions & { rows: number; checkRows: number; importArgs: string[] },
): Promise<ImportResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-bench-import-'));
  const service = await startBenchService({
    name: 'import',
    temporalAddress: options.temporalAddress,
    workflowBundle: options.workflowBundle,
    env: options.serviceEnv,
    rateLimit: { max: 100_000, intervalMs: 10_000 },
  });
  try {
    const env = { LEADSYNC_URL: service.httpUrl };
    const small = path.join(dir, 'check-small.csv');
    const large = path.join(dir, 'check-large.csv');
    await writeCsv(small, options.checkRows, 'check');
    await writeCsv(large, options.checkRows * 10, 'check');
    const checkSmall = await leadsync(['import', small, '--check'], env);
    const checkLarge = await leadsync(['import', large, '--check'], env);

    const file = path.join(dir, 'import.csv');
    await writeCsv(file, options.rows, `import-${options.runId}`);
    global.gc?.();
    const before = service.sandbox.counters();
    const peak = new PeakRss();
    const full = await leadsync(['import', file, '--wait', ...options.importArgs], env);
    const servicePeak = peak.stop();
    if (full.summary.synced !== options.rows) {
      throw new Error(`import synced ${full.summary.synced} of ${options.rows} rows`);
    }
    const after = service.sandbox.counters();
    const smallRun = run(checkSmall.summary, checkSmall.peakKiB);
    const largeRun = run(checkLarge.summary, checkLarge.peakKiB);
    return {
      scenario: 'import',
      full: {
        ...run(full.summary, full.peakKiB),
        batchUpserts:
          (after.requestsByRoute['contacts.batchUpsert'] ?? 0) - (before.requestsByRoute['contacts.batchUpsert'] ?? 0),
        rateLimited: after.rateLimited - before.rateLimited,
        servicePeakRssMiB: mib(servicePeak),
      },
      check: {
        small: smallRun,
        large: largeRun,
        rssRatio: Math.round((largeRun.cliPeakRssMiB / smallRun.cliPeakRssMiB) * 100) / 100,
      },
    };
  } finally {
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
