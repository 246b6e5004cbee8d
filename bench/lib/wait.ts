import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls until `done` holds. A benchmark must not hang when the system under test stalls, so the deadline
 * fails the run with the progress reached so far.
 */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  options: { what: string; timeoutMs: number; intervalMs: number; progress?: () => string | Promise<string> },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      const progress = options.progress ? ` (${await options.progress()})` : '';
      throw new Error(
        `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}${progress}`,
      );
    }
    await delay(options.intervalMs);
  }
}

/** Generous enough for a loaded 2-core machine: a fixed start-up allowance plus a slow per-item pace. */
export function deadlineFor(items: number): number {
  return 120_000 + items * 100;
}
