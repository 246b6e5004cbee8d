import { Command, InvalidArgumentError } from 'commander';

export const SCENARIOS = [
  'temporal-ceiling',
  'temporal-ceiling-local',
  'http-register',
  'hubspot-budget',
  'idle-memory',
  'hubspot-changes',
  'import',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface RateLimit {
  max: number;
  intervalMs: number;
}

export interface BenchOptions {
  scenarios: ScenarioName[];
  leads: number;
  concurrency: number;
  budgetLeads: number;
  rate: RateLimit;
  idleBaseLeads: number;
  idleLeads: number;
  changeLeads: number;
  pollLeads: number;
  pollIntervalMs: number;
  changeWindowMs: number;
  importRows: number;
  checkRows: number;
  /** Extra `leadsync import` flags, e.g. `--window 400`. */
  importArgs: string[];
  /** `memory`: the test harness's in-memory dev server; `file`: the embedded dev server of `npm start`, on a file. */
  temporal: 'memory' | 'file';
  /** With `--temporal file`: the SQLite pragmas, or undefined for the dev server's defaults of `npm start`. */
  sqlitePragmas?: Record<string, string>;
  /** Environment the service under test starts with, on top of the bench's own (`--service-env`). */
  serviceEnv: Record<string, string>;
}

function envEntry(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('must be NAME=value, e.g. LEADSYNC_WORKFLOW_CACHE_SIZE=250');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

function pragmas(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  if (value === 'none') return {};
  const [key, setting] = value.split('=');
  if (!key || !setting) throw new InvalidArgumentError('must be <pragma>=<value>, e.g. journal_mode=wal, or none');
  return { ...previous, [key]: setting };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function rate(value: string): RateLimit {
  const [max, intervalMs] = value.split('/').map(Number);
  if (!Number.isInteger(max) || !Number.isInteger(intervalMs) || max! < 1 || intervalMs! < 1) {
    throw new InvalidArgumentError('must be <max>/<milliseconds>, e.g. 100/10000');
  }
  return { max: max!, intervalMs: intervalMs! };
}

function scenarioList(value: string): ScenarioName[] {
  if (value === 'all') return [...SCENARIOS];
  const wanted = value.split(',').map((s) => s.trim());
  const unknown = wanted.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`unknown scenario ${unknown.join(', ')}; choose from all, ${SCENARIOS.join(', ')}`);
  }
  // Always in the documented order, so a baseline runs before the scenarios measured against it.
  return SCENARIOS.filter((s) => wanted.includes(s));
}

export function parseBenchOptions(argv: string[] = process.argv): BenchOptions {
  const program = new Command()
    .name('npm run bench --')
    .option('--scenario <names>', `all, or a comma-separated list of: ${SCENARIOS.join(', ')}`, scenarioList, [
      ...SCENARIOS,
    ])
    .option('--leads <n>', 'workflows (temporal-ceiling*) and leads (http-register)', positiveInt, 600)
    .option('--concurrency <n>', 'starts or HTTP requests in flight at once', positiveInt, 32)
    .option('--budget-leads <n>', 'leads registered in hubspot-budget', positiveInt, 300)
    .option('--rate <max/ms>', "the sandbox's burst limit in hubspot-budget", rate, { max: 100, intervalMs: 10_000 })
    .option('--idle-base-leads <n>', 'idle leads at the first idle-memory sample', positiveInt, 100)
    .option('--idle-leads <n>', 'idle leads at the second idle-memory sample', positiveInt, 10_000)
    .option('--change-leads <n>', 'leads edited in HubSpot, delivered by webhooks (hubspot-changes)', positiveInt, 50)
    .option('--poll-leads <n>', 'leads edited in HubSpot, delivered by polling (hubspot-changes)', positiveInt, 50)
    .option('--poll-interval-ms <n>', 'LEADSYNC_HUBSPOT_POLL_INTERVAL_MS (hubspot-changes)', positiveInt, 1000)
    .option('--change-window-seconds <n>', 'edits spread over it, and idle polling (hubspot-changes)', positiveInt, 20)
    .option('--import-rows <n>', 'rows of the CSV `leadsync import --wait` sends (import)', positiveInt, 2000)
    .option(
      '--check-rows <n>',
      'rows of the smaller `leadsync import --check` file; the larger has 10× (import)',
      positiveInt,
      10_000,
    )
    .option(
      '--import-arg <flag>',
      'an extra `leadsync import` flag (repeatable), e.g. --import-arg=--window=400',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option('--temporal <kind>', "memory (the test harness's dev server) or file (npm start's, on SQLite)", 'memory')
    .option(
      '--sqlite-pragma <pragma=value>',
      "with --temporal file: a pragma (repeatable), or none for SQLite's own",
      pragmas,
    )
    .option('--service-env <NAME=value>', 'a setting of the service under test (repeatable)', envEntry, {})
    .parse(argv);
  const opts = program.opts<{
    scenario: ScenarioName[];
    leads: number;
    concurrency: number;
    budgetLeads: number;
    rate: RateLimit;
    idleBaseLeads: number;
    idleLeads: number;
    changeLeads: number;
    pollLeads: number;
    pollIntervalMs: number;
    changeWindowSeconds: number;
    importRows: number;
    checkRows: number;
    importArg: string[];
    temporal: string;
    sqlitePragma?: Record<string, string>;
    serviceEnv: Record<string, string>;
  }>();
  if (opts.temporal !== 'memory' && opts.temporal !== 'file') program.error('--temporal must be memory or file');
  if (opts.idleLeads <= opts.idleBaseLeads) program.error('--idle-leads must be larger than --idle-base-leads');
  return {
    scenarios: opts.scenario,
    leads: opts.leads,
    concurrency: opts.concurrency,
    budgetLeads: opts.budgetLeads,
    rate: opts.rate,
    idleBaseLeads: opts.idleBaseLeads,
    idleLeads: opts.idleLeads,
    changeLeads: opts.changeLeads,
    pollLeads: opts.pollLeads,
    pollIntervalMs: opts.pollIntervalMs,
    changeWindowMs: opts.changeWindowSeconds * 1000,
    importRows: opts.importRows,
    checkRows: opts.checkRows,
    importArgs: opts.importArg,
    temporal: opts.temporal === 'file' ? 'file' : 'memory',
    sqlitePragmas: opts.sqlitePragma,
    serviceEnv: opts.serviceEnv,
  };
}
