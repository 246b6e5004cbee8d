import type { RateLimitSettings } from '../types.js';

export interface RateDecision {
  allowed: boolean;
  max: number;
  intervalMs: number;
  remaining: number;
}

/** A rolling window like HubSpot's: a call is allowed when fewer than `max` calls were allowed in the last `intervalMs`. */
export class RollingWindow {
  private hits: number[] = [];

  constructor(private readonly settings: RateLimitSettings) {}

  take(now: number): RateDecision {
    const { max, intervalMs } = this.settings;
    const since = now - intervalMs;
    this.hits = this.hits.filter((at) => at > since);
    if (this.hits.length >= max) return { allowed: false, max, intervalMs, remaining: 0 };
    this.hits.push(now);
    return { allowed: true, max, intervalMs, remaining: max - this.hits.length };
  }

  clear(): void {
    this.hits = [];
  }
}

/** HubSpot's daily budget for private-app tokens; resets at midnight (UTC here, the portal's time zone there). */
export class DailyBudget {
  private day = '';
  private used = 0;

  constructor(readonly max: number) {}

  take(now: number): number {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
    this.used += 1;
    return Math.max(0, this.max - this.used);
  }

  clear(): void {
    this.used = 0;
  }
}
