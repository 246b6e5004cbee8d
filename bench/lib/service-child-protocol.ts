/** Messages between the bench and bench/service-process.ts over the fork's IPC channel. */
export type ParentRequest = { type: 'stats'; gc: boolean } | { type: 'stop' };

export interface ChildStats {
  /** Whether `global.gc` existed (node --expose-gc) and ran before the numbers were taken. */
  gcForced: boolean;
  heapUsedBytes: number;
  /** process.cpuUsage() of the child, user + system, in microseconds, all threads. */
  cpuMicros: number;
}

export type ChildMessage =
  { type: 'ready'; httpUrl: string } | ({ type: 'stats' } & ChildStats) | { type: 'failed'; message: string };
