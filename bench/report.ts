import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/project-paths.js';
import type { BenchOptions } from './options.js';
import type { CeilingResult } from './scenarios/temporal-ceiling.js';
import type { HttpRegisterResult } from './scenarios/http-register.js';
import type { HubSpotBudgetResult } from './scenarios/hubspot-budget.js';
import { SEARCH_LIMIT_PER_MINUTE, type HubSpotChangesResult } from './scenarios/hubspot-changes.js';
import { IDLE_RSS_GOAL, type IdleMemoryResult } from './scenarios/idle-memory.js';
import type { ImportResult } from './scenarios/import.js';

export type ScenarioResult =
  CeilingResult | HttpRegisterResult | HubSpotBudgetResult | IdleMemoryResult | HubSpotChangesResult | ImportResult;

type Cell = string | number | boolean;

export interface Ratio {
  measure: string;
  ratio: number | null;
  note: string;
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 1024 / 1024 / 1024)} GiB, node ${process.version}`;
}

const find = <S extends ScenarioResult['scenario']>(results: ScenarioResult[], scenario: S) =>
  results.find((r): r is ScenarioResult & { scenario: S } => r.scenario === scenario);

const ratioOf = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? null : Math.round((a / b) * 100) / 100;

/** Each ratio is against a baseline of the same run; without that baseline it stays empty, never estimated. */
export function ratios(results: ScenarioResult[]): Ratio[] {
  const ceiling = find(results, 'temporal-ceiling');
  const local = find(results, 'temporal-ceiling-local');
  const http = find(results, 'http-register');
  const budget = find(results, 'hubspot-budget');
  const idle = find(results, 'idle-memory');
  const changes = find(results, 'hubspot-changes');
  const imported = find(results, 'import');
  const list: Ratio[] = [];
  if (http) {
    list.push({
      measure: 'http-register leads/s ÷ temporal-ceiling workflows/s',
      ratio: ratioOf(http.leadsPerSecond, ceiling?.workflowsPerSecond),
      note: ceiling ? 'share of what Temporal alone reaches here' : 'run with temporal-ceiling for this ratio',
    });
  }
  if (imported) {
    list.push(
      {
        measure: 'import rows/s (synced, --wait) ÷ temporal-ceiling workflows/s',
        ratio: ratioOf(imported.full.rowsPerSecond, ceiling?.workflowsPerSecond),
        note: ceiling
          ? `goal ≥ 0.8; ${imported.full.batchUpserts} batch upserts`
          : 'run with temporal-ceiling for this ratio',
      },
      {
        measure: `import --check CLI peak RSS ${imported.check.large.rows} ÷ ${imported.check.small.rows} rows`,
        ratio: imported.check.rssRatio,
        note: `${imported.check.large.cliPeakRssMiB} ÷ ${imported.check.small.cliPeakRssMiB} MiB`,
      },
    );
  }
  if (local) {
    list.push({
      measure: 'temporal-ceiling-local ÷ temporal-ceiling (workflows/s)',
      ratio: ratioOf(local.workflowsPerSecond, ceiling?.workflowsPerSecond),
      note: 'for comparison only',
    });
  }
  if (budget) {
    list.push({
      measure: `hubspot-budget max calls in a window ÷ limit (${budget.limit})`,
      ratio: budget.budgetShare,
      note: `${budget.callsPerLead} batch upserts per lead, ${budget.rateLimited} 429s`,
    });
  }
  if (idle) {
    list.push({
      measure: `idle-memory RSS ${idle.full.leads} ÷ ${idle.base.leads} idle leads`,
      ratio: idle.rssRatio,
      note: `goal ≤ ${IDLE_RSS_GOAL}: ${idle.withinGoal ? 'met' : 'missed'}`,
    });
  }
  if (changes) {
    list.push(
      {
        measure: 'hubspot-changes webhook delivery ÷ sandbox webhook hop (median ms)',
        ratio: changes.webhooks.ratio,
        note: `${changes.webhooks.latency.medianMs} ÷ ${changes.webhooks.hop.medianMs} ms`,
      },
      {
        measure: `hubspot-changes busy polling searches/min ÷ limit (${SEARCH_LIMIT_PER_MINUTE}/min)`,
        ratio: changes.polling.busyShare,
        note: `idle ${changes.polling.idleSearchesPerMinute}/min, every ${changes.polling.intervalMs} ms`,
      },
    );
  }
  return list;
}

export function markdownTable(rows: Array<Record<string, Cell>>): string {
  const headers = Object.keys(rows[0] ?? {});
  const cells = rows.map((row) => headers.map((h) => String(row[h] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = headers.map((_, i) => cells.every((c) => c[i] === '' || c[i] === '–' || !Number.isNaN(Number(c[i]))));
  const pad = (text: string, i: number) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (values: string[]) => `| ${values.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...cells.map(line)].join('\n');
}

/** The run as tables in the form bench/README.md keeps them, so a run's output can be pasted there. */
export function printReport(results: ScenarioResult[]): void {
  const throughput = results.flatMap((r): Array<Record<string, Cell>> => {
    if (r.scenario === 'temporal-ceiling' || r.scenario === 'temporal-ceiling-local') {
      return [
        {
          scenario: r.scenario,
          count: r.workflows,
          seconds: r.seconds,
          'per s': r.workflowsPerSecond,
          'peak RSS MiB': r.peakRssMiB,
        },
      ];
    }
    if (r.scenario === 'import') {
      return [
        {
          scenario: 'import --wait',
          count: r.full.rows,
          seconds: r.full.seconds,
          'per s': r.full.rowsPerSecond,
          'peak RSS MiB': r.full.servicePeakRssMiB,
        },
      ];
    }
    if (r.scenario === 'http-register') {
      return [
        {
          scenario: r.scenario,
          count: r.leads,
          seconds: r.seconds,
          'per s': r.leadsPerSecond,
          'peak RSS MiB': r.peakRssMiB,
        },
      ];
    }
    return [];
  });
  if (throughput.length > 0) console.log(`\n${markdownTable(throughput)}`);

  const imported = find(results, 'import');
  if (imported) {
    console.log(
      `\n${markdownTable(
        [imported.full, imported.check.small, imported.check.large].map((run, i) => ({
          'leadsync import': i === 0 ? '--wait' : '--check',
          rows: run.rows,
          seconds: run.seconds,
          'rows/s': run.rowsPerSecond,
          'CLI peak RSS MiB': run.cliPeakRssMiB,
        })),
      )}`,
    );
  }

  const http = find(results, 'http-register');
  if (http) {
    console.log(
      `\nhttp-register: all ${http.leads} accepted (202) after ${http.acceptedSeconds} s, ` +
        `${http.batchUpserts} batch upserts, ${http.rateLimited} 429s`,
    );
  }

  const budget = find(results, 'hubspot-budget');
  if (budget) {
    console.log(
      `\n${markdownTable([
        {
          leads: budget.leads,
          limit: budget.limit,
          seconds: budget.seconds,
          'batch upserts': budget.batchUpserts,
          'calls/lead': budget.callsPerLead,
          'limited calls': budget.limitedCalls,
          'max calls in window': budget.maxCallsInWindow,
          'budget share': budget.budgetShare,
          '429s': budget.rateLimited,
        },
      ])}`,
    );
  }

  const idle = find(results, 'idle-memory');
  if (idle) {
    const row = (p: IdleMemoryResult['base']) => ({
      'idle leads': p.leads,
      'RSS MiB': p.rssMiB,
      'heap used MiB': p.heapUsedMiB,
      settled: p.settled ? 'yes' : 'no',
    });
    console.log(`\n${markdownTable([row(idle.base), row(idle.full)])}`);
    console.log(
      `idle-memory: gc ${idle.gcForced ? 'forced' : 'NOT forced (node without --expose-gc)'}, ` +
        `${idle.full.leads - idle.base.leads} more leads registered in ${idle.registerSeconds} s`,
    );
  }

  const changes = find(results, 'hubspot-changes');
  if (changes) {
    const { webhooks: hooks, polling: poll } = changes;
    const row = (path: string, leads: number, s: HubSpotChangesResult['webhooks']['latency'], once: string) => ({
      'HubSpot → backend': path,
      leads,
      'median ms': s.medianMs,
      'p95 ms': s.p95Ms,
      'max ms': s.maxMs,
      'exactly once': once,
    });
    const once = (ok: boolean) => (ok ? 'yes' : 'no');
    console.log(
      `\n${markdownTable([
        row('webhook delivery', hooks.leads, hooks.latency, once(hooks.exactlyOnce)),
        row('sandbox webhook hop', hooks.leads, hooks.hop, '–'),
        row(`polled delivery (${poll.intervalMs} ms)`, poll.leads, poll.latency, once(poll.exactlyOnce)),
      ])}`,
    );
    console.log(
      `\n${markdownTable([
        {
          'poll interval ms': poll.intervalMs,
          'window s': poll.windowSeconds,
          'idle searches/min': poll.idleSearchesPerMinute,
          'idle searches/poll': poll.idleSearchesPerPoll,
          'busy searches/min': poll.busySearchesPerMinute,
          'busy share of 300/min': poll.busyShare,
          'peak searches in 1 s': poll.peakSearchesPerSecond,
          '429s': poll.rateLimited,
        },
      ])}`,
    );
  }

  const list = ratios(results);
  if (list.length > 0) {
    console.log(
      `\n${markdownTable(list.map((r) => ({ measure: r.measure, ratio: r.ratio === null ? '–' : r.ratio, note: r.note })))}`,
    );
  }
}

export async function writeResults(report: {
  machine: string;
  temporal: string;
  options: BenchOptions;
  results: ScenarioResult[];
}): Promise<string> {
  const dir = path.join(projectRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ ...report, ratios: ratios(report.results) }, null, 2) + '\n');
  return path.relative(projectRoot, file);
}
