import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { siblingModule, projectRoot } from '../../src/project-paths.js';
import type { ChildMessage, ChildStats, ParentRequest } from './service-child-protocol.js';

export interface ServiceChild {
  pid: number;
  httpUrl: string;
  stats(options: { gc: boolean }): Promise<ChildStats>;
  stop(): Promise<void>;
}

const entry = siblingModule(import.meta.url, '../service-process.js');

/** Starts bench/service-process.ts under tsx with only the environment given, and waits until it serves. */
export async function forkServiceChild(options: {
  env: Record<string, string>;
  bundlePath: string;
}): Promise<ServiceChild> {
  const child = fork(entry, [options.bundlePath], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // Whatever the bench waits for, the child dying first must fail the wait instead of hanging it.
  const unlessExited = <T>(waiting: Promise<T>, what: string) =>
    Promise.race([
      waiting,
      exited.then(([code, signal]): never => {
        throw new Error(`the service process exited ${what} (code ${code}, signal ${signal})`);
      }),
    ]);
  const ready = await unlessExited(nextMessage(child, 'ready'), 'before serving');
  const pid = child.pid;
  if (pid === undefined) throw new Error('the service process has no pid');
  const request = (message: ParentRequest) => child.send(message);
  return {
    pid,
    httpUrl: ready.httpUrl,
    stats: async ({ gc }) => {
      const reply = unlessExited(nextMessage(child, 'stats'), 'before answering');
      request({ type: 'stats', gc });
      const { gcForced, heapUsedBytes, cpuMicros } = await reply;
      return { gcForced, heapUsedBytes, cpuMicros };
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      request({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'failed') {
        child.off('message', onMessage);
        reject(new Error(`the service process failed: ${message.message}`));
      } else if (message.type === type) {
        child.off('message', onMessage);
        resolve(message as Extract<ChildMessage, { type: T }>);
      }
    };
    child.on('message', onMessage);
  });
}
