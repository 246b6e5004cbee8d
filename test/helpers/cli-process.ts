import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { projectRoot } from '../../src/project-paths.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const leadsyncBin = path.join(projectRoot, 'bin', 'leadsync.js');

/** `leadsync <args>` as its own process, as a user's shell runs it (no terminal: stdout and stderr are pipes). */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [leadsyncBin, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child, options.timeoutMs);
}

export interface TerminalRun {
  code: number | null;
  /** What the CLI wrote to its terminal: stdout and stderr interleaved, control sequences included. */
  output: string;
}

/**
 * `leadsync <args>` on a pseudo-terminal, as in a user's interactive shell: util-linux `script` gives the CLI a
 * terminal for stdout and stderr and ends with the CLI's own exit code (`--return`).
 */
export async function runCliOnTerminal(
  args: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<TerminalRun> {
  const command = [process.execPath, leadsyncBin, ...args].map(shellQuoted).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = await collect(child, options.timeoutMs);
  return { code: run.code, output: run.stdout + run.stderr };
}

/** One argument for `sh -c`, taken literally whatever spaces or quotes it holds. */
function shellQuoted(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

function collect(child: ChildProcessByStdio<null, Readable, Readable>, timeoutMs = 300_000): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
