import type { SandboxCounters } from '../../src/sandbox/index.js';

/**
 * Calls that count against HubSpot's 10-second burst limit: every CRM and communication-preferences call
 * except search, which has its own per-second limit. OAuth token calls are not rate-limited this way.
 */
export function burstLimitedCalls(counters: SandboxCounters): number {
  return Object.entries(counters.requestsByRoute)
    .filter(
      ([route]) => (route.startsWith('contacts.') && route !== 'contacts.search') || route.startsWith('commPrefs.'),
    )
    .reduce((sum, [, n]) => sum + n, 0);
}

/**
 * Samples a cumulative call count on a short timer. The sandbox keeps no timestamps, so the busiest window is
 * found between samples; it can miss at most the calls of one sampling interval.
 */
export class CallSampler {
  private readonly samples: Array<{ at: number; calls: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly read: () => number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    this.samples.push({ at: performance.now(), calls: this.read() });
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** The most calls made within any `windowMs`, by a two-pointer sweep over the samples. */
  maxInWindow(windowMs: number): number {
    let best = 0;
    let start = 0;
    for (let end = 0; end < this.samples.length; end++) {
      const last = this.samples[end]!;
      while (last.at - this.samples[start]!.at > windowMs) start++;
      best = Math.max(best, last.calls - this.samples[start]!.calls);
    }
    return best;
  }
}
