import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeKeys } from '../shared/search-attributes.js';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  codecEndpoint?: string;
  /** SQLite pragmas for the dev server's database; `DEV_SERVER_SQLITE_PRAGMAS` when not given. */
  sqlitePragmas?: Record<string, string>;
  log?: (message: string) => void;
}

/**
 * Write-ahead logging lets the server's readers and its one writer work at once, and `synchronous=NORMAL` syncs at
 * checkpoints instead of on every commit: the dev server's own database is not a production store, and a crash of
 * the machine costs at most the last commits, not the file. Measured with `npm run bench -- --temporal file`; see
 * bench/README.md.
 */
export const DEV_SERVER_SQLITE_PRAGMAS: Record<string, string> = { journal_mode: 'wal', synchronous: 'normal' };

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * `npm start`'s embedded Temporal: the CLI dev server with SQLite persistence in the data dir (so a second
 * start sees the first one's workflows), the Web UI, the service's search attributes, and the UI pointed at
 * our codec endpoint. It runs in its own process group so Ctrl-C reaches us first and we stop it last,
 * after the worker has drained, and it does not outlive us (see withParentDeathSignal).
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  await mkdir(options.dataDir, { recursive: true });
  const pidFile = path.join(options.dataDir, 'temporal-dev-server.pid');
  await stopLeftover(pidFile, log);

  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    path.join(options.dataDir, 'temporal.sqlite'),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    ...Object.entries(options.sqlitePragmas ?? DEV_SERVER_SQLITE_PRAGMAS).flatMap(([k, v]) => [
      '--sqlite-pragma',
      `${k}=${v}`,
    ]),
    ...searchAttributeKeys.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
  ];
  const logFile = createWriteStream(path.join(options.dataDir, 'temporal-dev-server.log'), { flags: 'a' });
  const [command, commandArgs] = await withParentDeathSignal(options.cliPath, args);
  const child = spawn(command, commandArgs, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(logFile);
  child.stderr?.pipe(logFile);
  if (child.pid) await writeFile(pidFile, String(child.pid));

  const address = `127.0.0.1:${options.port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitUntilServing(address, exited);
  } catch (err) {
    await terminate(child);
    throw err;
  }
  return {
    address,
    uiUrl: `http://localhost:${options.uiPort}`,
    stop: async () => {
      await terminate(child);
      await rm(pidFile, { force: true });
      logFile.end();
    },
  };
}

async function waitUntilServing(address: string, exited: Promise<number | null>): Promise<void> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  let hasExited: number | null | undefined;
  void exited.then((code) => (hasExited = code));
  while (Date.now() < deadline) {
    if (hasExited !== undefined)
      throw new Error(`the Temporal dev server exited with code ${hasExited}; see its log in the data dir`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within 60 s: ${String(lastError)}`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * util-linux's setpriv asks the kernel to SIGTERM the dev server when its parent dies, then becomes the CLI (same
 * pid): a service killed with SIGKILL, or forced out by a second signal, takes the dev server and its ports with it.
 * Without setpriv (macOS, util-linux before 2.33) only stopLeftover() at the next start cleans up.
 */
async function withParentDeathSignal(command: string, args: string[]): Promise<[string, string[]]> {
  if (process.platform !== 'linux') return [command, args];
  const prefix = ['--pdeathsig', 'TERM', '--'];
  const works = await new Promise<boolean>((resolve) => {
    const probe = spawn('setpriv', [...prefix, 'true'], { stdio: 'ignore' });
    probe.once('error', () => resolve(false));
    probe.once('exit', (code) => resolve(code === 0));
  });
  return works ? ['setpriv', [...prefix, command, ...args]] : [command, args];
}

/** A dev server left behind by a killed `npm start` would hold the port; stop it if the pid is still ours. */
async function stopLeftover(pidFile: string, log: (m: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('start-dev')) {
      log(`stopping a Temporal dev server left running by an earlier start (pid ${pid})`);
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
      }
    }
  } catch {
    // Not running any more (or not on Linux): nothing to stop.
  }
  await rm(pidFile, { force: true });
}
