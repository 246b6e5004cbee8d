import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { projectRoot } from '../../src/project-paths.js';

export interface CliRun {
  code: number | null;
  /** Set when the process was ended by a signal (a test that kills it mid-run). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export const leadsyncBin = path.join(projectRoot, 'bin', 'leadsync.js');

/**
 * `leadsync <args>` as its own process, as a user's shell runs it (no terminal: stdout and stderr are pipes), held
 * so a caller can signal it or read its /proc entry while it runs.
 */
export function startCli(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; exited: Promise<CliRun> } {
  const child = spawn(process.execPath, [leadsyncBin, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, exited: collect(child) };
}

/** `leadsync <args>` run to its end. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return startCli(args, env).exited;
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
export async function runCliOnTerminal(args: string[], env: Record<string, string>): Promise<TerminalRun> {
  const command = [process.execPath, leadsyncBin, ...args].map(shellQuoted).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = await collect(child);
  return { code: run.code, output: run.stdout + run.stderr };
}

/** One argument for `sh -c`, taken literally whatever spaces or quotes it holds. */
function shellQuoted(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

function collect(child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
