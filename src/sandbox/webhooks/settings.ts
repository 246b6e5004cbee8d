import { z } from 'zod';
import { describeIssues } from '../schemas.js';
import type { WebhookSettings } from '../types.js';

export type ResolvedWebhookSettings = Required<WebhookSettings>;

// HubSpot's own timeout, attempt count and concurrency; the delays are short because a local tool's user waits on them.
export const DEFAULT_WEBHOOK_SETTINGS: ResolvedWebhookSettings = {
  targetUrl: null,
  batchWindowMs: 150,
  timeoutMs: 5000,
  maxAttempts: 10,
  retryDelayMs: 1000,
  maxRetryDelayMs: 60_000,
  maxConcurrentRequests: 10,
};

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const milliseconds = (max: number) => z.number().int().min(0).max(max);

export const webhookSettingsInput = z
  .object({
    targetUrl: z.string().refine(isHttpUrl, 'must be an http(s) URL').nullable().optional(),
    batchWindowMs: milliseconds(60_000).optional(),
    timeoutMs: milliseconds(120_000).min(1).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    retryDelayMs: milliseconds(86_400_000).optional(),
    maxRetryDelayMs: milliseconds(86_400_000).optional(),
    maxConcurrentRequests: z.number().int().min(1).max(100).optional(),
  })
  .strict();

/** The settings with `patch` applied; throws with zod's issues when the patch is invalid. */
export function applyWebhookSettings(
  current: ResolvedWebhookSettings,
  patch: WebhookSettings | undefined,
): ResolvedWebhookSettings {
  const parsed = webhookSettingsInput.safeParse(patch ?? {});
  if (!parsed.success) throw new Error(`invalid webhook settings: ${describeIssues(parsed.error)}`);
  const defined = Object.entries(parsed.data).filter(([, value]) => value !== undefined);
  return { ...current, ...Object.fromEntries(defined) };
}
