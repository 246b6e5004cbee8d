import { constants } from 'node:os';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * Copies of the first signal arrive within this long: `npm start` forwards the terminal's Ctrl-C to node, which
 * the terminal already signalled, and a supervisor that signals the whole process group does the same with SIGTERM.
 */
export const REPEAT_AFTER_MS = 1_000;

export interface StopSignalHandlers {
  /** The first SIGINT or SIGTERM: stop cleanly. */
  stop(signal: StopSignal): void;
  /** A signal at least REPEAT_AFTER_MS after the first: whoever sent it will not wait for the clean stop. */
  force(signal: StopSignal): void;
}

/** Takes SIGINT and SIGTERM over from Node's default, which is to die at once. */
export function onStopSignals(handlers: StopSignalHandlers): void {
  let firstAt: number | undefined;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        handlers.stop(signal);
      } else if (Date.now() - firstAt >= REPEAT_AFTER_MS) {
        handlers.force(signal);
      }
    });
  }
}

/** The shell's convention for "ended by this signal", for an exit that did not stop cleanly. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}
