const DAY_MS = 86_400_000;

/**
 * `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). Returns undefined when the
 * header is absent or unreadable, so callers fall back to what they know about the window.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Time until the next midnight in `timeZone`, which is when HubSpot resets the daily limit (in the
 * account's time zone). Callers pass 'UTC' when the portal's zone is unknown: a wrong guess costs at
 * most a few hours of waiting or one early 429, and Temporal then retries again. On DST days the
 * answer can be off by the DST shift, for the same reason acceptable.
 */
export function msUntilNextMidnight(now: number, timeZone = 'UTC'): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(now));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const sinceMidnight = ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 + (now % 1000);
  return DAY_MS - sinceMidnight;
}
