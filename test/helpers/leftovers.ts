import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';

export interface LeftoverProcess {
  pid: number;
  command: string;
}

/**
 * Live processes whose environment or command line holds `marker`. Children inherit the environment, so a temp dir
 * given to the process a test starts finds every descendant, in whatever process group it went (Linux's /proc).
 */
export async function processesHolding(marker: string): Promise<LeftoverProcess[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  const found = await Promise.all(
    pids.map(async (pid) => {
      // A process that ended meanwhile, or another user's, has nothing to read.
      const [environ, cmdline] = await Promise.all(
        ['environ', 'cmdline'].map((file) => readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '')),
      );
      return environ!.includes(marker) || cmdline!.includes(marker)
        ? [{ pid: Number(pid), command: cmdline!.replaceAll('\0', ' ').trim() }]
        : [];
    }),
  );
  return found.flat();
}

/** Whether any process is left in the group, zombies included until they are reaped. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** The ports of `ports` that something listens on: binding them on the loopback address fails. */
export async function portsInUse(ports: number[]): Promise<number[]> {
  const taken = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', (err: NodeJS.ErrnoException) =>
            err.code === 'EADDRINUSE' ? resolve(true) : reject(err),
          );
          server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
        }),
    ),
  );
  return ports.filter((_, i) => taken[i]);
}

/** SIGKILL for the group and for every process holding the marker: what a test leaves behind when it fails. */
export async function killLeftovers(pgid: number | undefined, marker: string): Promise<void> {
  if (pgid !== undefined && groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
  for (const { pid } of await processesHolding(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone between the scan and the kill.
    }
  }
}
