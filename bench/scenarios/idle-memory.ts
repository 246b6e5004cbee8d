import type { ServiceScenarioOptions } from '../lib/service-scenario.js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { generateKeyString } from '../../src/temporal/keys.js';
import { benchEmails, registerOverHttp } from '../lib/http-load.js';
import { median, mib, vmRssBytes } from '../lib/memory.js';
import { forkServiceChild, type ServiceChild } from '../lib/service-child.js';
import { deadlineFor, waitUntil } from '../lib/wait.js';

export const IDLE_RSS_GOAL = 1.2;

export interface IdlePoint {
  leads: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** The child's CPU had dropped below IDLE_CPU_SHARE before sampling; false means it never did. */
  settled: boolean;
}

export interface IdleMemoryResult {
  scenario: 'idle-memory';
  base: IdlePoint;
  full: IdlePoint;
  rssRatio: number;
  withinGoal: boolean;
  gcForced: boolean;
  /** Registering the leads beyond the base, until the sandbox held them all. */
  registerSeconds: number;
}

/** Below this share of one core the service counts as idle: no lead work left, only pollers. */
const IDLE_CPU_SHARE = 0.05;
const RSS_SAMPLES = 5;

/**
 * The service's RSS with few and with many idle leads (registered, synced, nothing more to do). The service
 * runs in a child process and reaches a sandbox in this process, so the child's RSS is the service's own.
 */
export async function runIdleMemory(
  options: ServiceScenarioOptions & {
    /** Idle leads at the first sample; `leads` at the second. */
    baseLeads: number;
  },
): Promise<IdleMemoryResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leadsync-bench-idle-'));
  const sandbox = await startSandbox({
    rateLimit: { max: 100_000, intervalMs: 10_000 },
    portalId: 100_000 + Math.floor(Math.random() * 1e6),
  });
  let child: ServiceChild | undefined;
  try {
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    await writeFile(bundlePath, options.workflowBundle.code);
    child = await forkServiceChild({
      bundlePath,
      env: { ...childEnv(options.temporalAddress, sandbox, dir), ...options.serviceEnv },
    });
    const register = async (count: number, from: number) => {
      const emails = benchEmails('idle-memory', options.runId, count, from);
      await registerOverHttp({ httpUrl: child!.httpUrl, emails, concurrency: options.concurrency, lastname: 'idle' });
      await waitUntil(() => sandbox.contacts.all().length >= from + count, {
        what: `${from + count} contacts in the sandbox`,
        timeoutMs: deadlineFor(count),
        intervalMs: 1000,
        progress: () => `${sandbox.contacts.all().length} so far`,
      });
    };

    await register(options.baseLeads, 0);
    const base = await measure(child, options.baseLeads);
    const started = performance.now();
    await register(options.leads - options.baseLeads, options.baseLeads);
    const registerSeconds = (performance.now() - started) / 1000;
    const full = await measure(child, options.leads);
    const rssRatio = Math.round((full.point.rssMiB / base.point.rssMiB) * 100) / 100;
    return {
      scenario: 'idle-memory',
      base: base.point,
      full: full.point,
      rssRatio,
      withinGoal: rssRatio <= IDLE_RSS_GOAL,
      gcForced: base.gcForced && full.gcForced,
      registerSeconds: Math.round(registerSeconds * 10) / 10,
    };
  } finally {
    await child?.stop();
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function childEnv(temporalAddress: string, sandbox: Sandbox, dataDir: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-idle-memory-${randomUUID()}`,
    PORT: '0',
    LEADSYNC_DATA_DIR: dataDir,
    LEADSYNC_ENCRYPTION_KEY: generateKeyString(),
    LOG_LEVEL: 'error',
    // An OAuth install on the bench's sandbox, as the built-in sandbox mode is, only out of process.
    HUBSPOT_BASE_URL: sandbox.baseUrl,
    HUBSPOT_CLIENT_ID: sandbox.clientId,
    HUBSPOT_CLIENT_SECRET: sandbox.clientSecret,
    HUBSPOT_REFRESH_TOKEN: sandbox.issueRefreshToken(),
  };
}

async function measure(child: ServiceChild, leads: number): Promise<{ point: IdlePoint; gcForced: boolean }> {
  const settled = await settle(child);
  const { gcForced, heapUsedBytes } = await child.stats({ gc: true });
  const samples: number[] = [];
  for (let i = 0; i < RSS_SAMPLES; i++) {
    await delay(1000);
    samples.push(await vmRssBytes(child.pid));
  }
  return { point: { leads, rssMiB: mib(median(samples)), heapUsedMiB: mib(heapUsedBytes), settled }, gcForced };
}

/** Waits, up to a minute, for a second in which the child used less than IDLE_CPU_SHARE of a core. */
async function settle(child: ServiceChild): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const before = await child.stats({ gc: false });
    const started = performance.now();
    await delay(1000);
    const after = await child.stats({ gc: false });
    const share = (after.cpuMicros - before.cpuMicros) / 1000 / (performance.now() - started);
    if (share < IDLE_CPU_SHARE) return true;
  }
  return false;
}
