import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { projectRoot } from '../../src/project-paths.js';

export interface EntryProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * One of the service's entry points (`src/main.ts` for `npm start`, `src/worker.ts` for `npm run worker`) as its
 * own process under tsx, with only the environment given, so tests can signal or kill it like a user would.
 */
export function spawnEntry(entry: 'src/main.ts' | 'src/worker.ts', env: Record<string, string>): EntryProcess {
  return tracked(spawn(process.execPath, ['--import', 'tsx', entry], spawnOptions(env)));
}

/**
 * `npm start` or `npm run worker` through npm itself, as a user or a supervisor runs it, in a process group of its
 * own: `child.pid` is npm's pid and the group's id, so a test can signal npm alone or the whole group (Ctrl-C).
 */
export function spawnNpmScript(script: 'start' | 'worker', env: Record<string, string>): EntryProcess {
  return tracked(spawn('npm', ['run', script], { ...spawnOptions(env), detached: true }));
}

function spawnOptions(env: Record<string, string>): SpawnOptions {
  return {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  };
}

function tracked(child: ChildProcess): EntryProcess {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, output: () => output, exited };
}

/** The environment of an `npm run worker` process for the sandbox's OAuth app, on its own task queue. */
export function oauthWorkerEnv(options: {
  temporalAddress: string;
  taskQueue: string;
  sandbox: { baseUrl: string; clientId: string; clientSecret: string; issueRefreshToken(): string };
  encryptionKey: string;
}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    HUBSPOT_BASE_URL: options.sandbox.baseUrl,
    HUBSPOT_CLIENT_ID: options.sandbox.clientId,
    HUBSPOT_CLIENT_SECRET: options.sandbox.clientSecret,
    HUBSPOT_REFRESH_TOKEN: options.sandbox.issueRefreshToken(),
    LEADSYNC_ENCRYPTION_KEY: options.encryptionKey,
    LOG_LEVEL: 'info',
  };
}
