import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './shared/ids.js';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

/** Every environment variable the service reads; DESIGN.md's public contract names them. */
const envSchema = z.object({
  HUBSPOT_ACCESS_TOKEN: optionalString,
  HUBSPOT_CLIENT_ID: optionalString,
  HUBSPOT_CLIENT_SECRET: optionalString,
  HUBSPOT_REDIRECT_URI: optionalString.pipe(z.url().optional()),
  HUBSPOT_SCOPES: optionalString,
  HUBSPOT_REFRESH_TOKEN: optionalString,
  HUBSPOT_PORTAL_ID: optionalString.pipe(z.string().regex(/^\d+$/, 'must be the numeric hub id').optional()),
  HUBSPOT_BASE_URL: z.url().default('https://api.hubapi.com'),
  HUBSPOT_AUTHORIZE_URL: z.url().default('https://app.hubspot.com/oauth/authorize'),
  HUBSPOT_API_VERSION: z.enum(['2026-03', 'v3']).default('2026-03'),
  HUBSPOT_TIMEOUT_MS: int(100, 300_000).default(15_000),
  HUBSPOT_RATE_LIMIT: int(1, 10_000).optional(),
  HUBSPOT_REFRESH_MARGIN_MS: int(0, 3_600_000).default(300_000),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  TEMPORAL_DEV_PORT: int(1, 65535).default(7233),
  TEMPORAL_UI_PORT: int(1, 65535).default(8233),
  LEADSYNC_ENCRYPTION_KEY: optionalString,
  LEADSYNC_API_KEY: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LEADSYNC_DATA_DIR: optionalString,
  LEADSYNC_LEAD_IDLE_TIMEOUT_MS: int(1_000, 30 * 86_400_000).default(3_600_000),
  LEADSYNC_DEDUPE_WINDOW_MS: int(7 * 86_400_000, 365 * 86_400_000).default(7 * 86_400_000),
  LEADSYNC_DEDUPE_MAX_IDS: int(1_000, 20_000).default(10_000),
  LEADSYNC_SHUTDOWN_GRACE_MS: int(0, 600_000).default(7_000),
  LEADSYNC_WORKFLOW_CACHE_SIZE: int(2, 100_000).default(250),
  LEADSYNC_UPSERT_BATCH_WAIT_MS: int(0, 1_000).default(20),
  LEADSYNC_UPSERT_PACING_MS: int(0, 10_000).optional(),
  LEADSYNC_SANDBOX_PORT: int(0, 65535).default(8090),
  LEADSYNC_PUBLIC_URL: optionalString.pipe(z.url().optional()),
  LEADSYNC_BACKEND_WEBHOOK_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  LEADSYNC_BACKEND_WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // Below the delivery activity's 15-second start-to-close timeout, so a slow answer fails as itself.
  LEADSYNC_BACKEND_WEBHOOK_TIMEOUT_MS: int(100, 12_000).default(10_000),
  LEADSYNC_HUBSPOT_POLL_INTERVAL_MS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    int(0, 86_400_000).optional(),
  ),
  LEADSYNC_HUBSPOT_POLL_SETTLE_MS: int(0, 600_000).default(10_000),
  LEADSYNC_HUBSPOT_POLL_PROPERTIES: optionalString.pipe(
    z
      .string()
      .regex(/^[a-z][a-z0-9_]*(\s*,\s*[a-z][a-z0-9_]*)*$/, 'must be a comma-separated list of HubSpot property names')
      .optional(),
  ),
  LEADSYNC_LOG_PRETTY: bool,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  PORT: int(0, 65535).default(3000),
});

type Env = z.infer<typeof envSchema>;

export type HubSpotCredentials =
  | { mode: 'static'; accessToken: string }
  | {
      mode: 'oauth';
      clientId: string;
      clientSecret: string;
      redirectUri?: string;
      scopes: string[];
      refreshToken?: string;
    }
  | { mode: 'sandbox' };

export interface Config {
  hubspot: {
    credentials: HubSpotCredentials;
    portalId?: string;
    baseUrl: string;
    authorizeUrl: string;
    apiVersion: '2026-03' | 'v3';
    timeoutMs: number;
    rateLimit?: number;
    refreshMarginMs: number;
  };
  temporal: { address?: string; namespace: string; taskQueue: string; devPort: number; uiPort: number };
  encryptionKeys?: string;
  apiKey?: string;
  dataDir?: string;
  leadIdleTimeoutMs: number;
  /** How long, and how many, event ids each lead remembers to drop repeats. */
  dedupe: { windowMs: number; maxIds: number };
  shutdownGraceMs: number;
  /**
   * Workflows each worker keeps in memory between tasks (the SDK's `maxCachedWorkflows`). Leads stay open for life,
   * so this, not the number of leads, bounds the worker's memory (about 0.4 MiB each, measured).
   */
  workflowCacheSize: number;
  /** How long a write waits for other leads' writes to share a batch upsert; 0 sends each alone. */
  upsertBatchWaitMs: number;
  /**
   * Under sustained load, partial batch upserts leave at most once per this long (per portal); 0 turns it off.
   * Unset: one per tenth of the portal's rate limit.
   */
  upsertPacingMs?: number;
  sandboxPort: number;
  publicUrl?: string;
  /** Where changes made inside HubSpot are delivered, signed; unset: nobody is told. */
  backendWebhook?: { url: string; secret: string; timeoutMs: number };
  /**
   * Polling HubSpot for changes where there are no webhooks. `intervalMs` 0 is off; unset means the mode's default
   * (on, every minute, for static tokens, which have no webhooks; off for OAuth apps).
   */
  poll: { intervalMs?: number; settleMs: number; properties: string[] };
  port: number;
  log: { level: Env['LOG_LEVEL']; pretty: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** What a poll reports of each changed contact unless LEADSYNC_HUBSPOT_POLL_PROPERTIES says otherwise. */
const DEFAULT_POLL_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'company',
  'website',
  'jobtitle',
  'lifecyclestage',
  'hs_lead_status',
  'hs_email_optout',
];

const DEFAULT_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'communication_preferences.read_write',
  'oauth',
];

/**
 * Parses the environment once. Every bad variable is reported in one error, by name only: values are never
 * echoed, since several of them are secrets.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const env = parsed.success ? parsed.data : undefined;
  const credentials = env ? credentialsFrom(env, problems) : undefined;
  if (env && Boolean(env.LEADSYNC_BACKEND_WEBHOOK_URL) !== Boolean(env.LEADSYNC_BACKEND_WEBHOOK_SECRET)) {
    problems.push(
      env.LEADSYNC_BACKEND_WEBHOOK_URL
        ? 'LEADSYNC_BACKEND_WEBHOOK_SECRET: required with LEADSYNC_BACKEND_WEBHOOK_URL (deliveries are always signed)'
        : 'LEADSYNC_BACKEND_WEBHOOK_URL: required with LEADSYNC_BACKEND_WEBHOOK_SECRET',
    );
  }
  if (!env || !credentials || problems.length > 0) throw new ConfigError(problems);

  return {
    hubspot: {
      credentials,
      portalId: env.HUBSPOT_PORTAL_ID,
      baseUrl: env.HUBSPOT_BASE_URL.replace(/\/+$/, ''),
      authorizeUrl: env.HUBSPOT_AUTHORIZE_URL,
      apiVersion: env.HUBSPOT_API_VERSION,
      timeoutMs: env.HUBSPOT_TIMEOUT_MS,
      rateLimit: env.HUBSPOT_RATE_LIMIT,
      refreshMarginMs: env.HUBSPOT_REFRESH_MARGIN_MS,
    },
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      devPort: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
    },
    encryptionKeys: env.LEADSYNC_ENCRYPTION_KEY,
    apiKey: env.LEADSYNC_API_KEY,
    dataDir: env.LEADSYNC_DATA_DIR,
    leadIdleTimeoutMs: env.LEADSYNC_LEAD_IDLE_TIMEOUT_MS,
    dedupe: { windowMs: env.LEADSYNC_DEDUPE_WINDOW_MS, maxIds: env.LEADSYNC_DEDUPE_MAX_IDS },
    shutdownGraceMs: env.LEADSYNC_SHUTDOWN_GRACE_MS,
    workflowCacheSize: env.LEADSYNC_WORKFLOW_CACHE_SIZE,
    upsertBatchWaitMs: env.LEADSYNC_UPSERT_BATCH_WAIT_MS,
    upsertPacingMs: env.LEADSYNC_UPSERT_PACING_MS,
    sandboxPort: env.LEADSYNC_SANDBOX_PORT,
    publicUrl: env.LEADSYNC_PUBLIC_URL?.replace(/\/+$/, ''),
    backendWebhook:
      env.LEADSYNC_BACKEND_WEBHOOK_URL && env.LEADSYNC_BACKEND_WEBHOOK_SECRET
        ? {
            url: env.LEADSYNC_BACKEND_WEBHOOK_URL,
            secret: env.LEADSYNC_BACKEND_WEBHOOK_SECRET,
            timeoutMs: env.LEADSYNC_BACKEND_WEBHOOK_TIMEOUT_MS,
          }
        : undefined,
    poll: {
      intervalMs: env.LEADSYNC_HUBSPOT_POLL_INTERVAL_MS,
      settleMs: env.LEADSYNC_HUBSPOT_POLL_SETTLE_MS,
      properties: env.LEADSYNC_HUBSPOT_POLL_PROPERTIES
        ? env.LEADSYNC_HUBSPOT_POLL_PROPERTIES.split(',').map((p) => p.trim())
        : DEFAULT_POLL_PROPERTIES,
    },
    port: env.PORT,
    log: { level: env.LOG_LEVEL, pretty: env.LEADSYNC_LOG_PRETTY },
  };
}

function credentialsFrom(env: Env, problems: string[]): HubSpotCredentials | undefined {
  const hasOAuth = env.HUBSPOT_CLIENT_ID !== undefined || env.HUBSPOT_CLIENT_SECRET !== undefined;
  if (env.HUBSPOT_ACCESS_TOKEN && hasOAuth) {
    problems.push(
      'HUBSPOT_ACCESS_TOKEN: set either a static token or HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET, not both',
    );
    return undefined;
  }
  if (env.HUBSPOT_ACCESS_TOKEN) return { mode: 'static', accessToken: env.HUBSPOT_ACCESS_TOKEN };
  if (!hasOAuth) return { mode: 'sandbox' };
  if (!env.HUBSPOT_CLIENT_ID) problems.push('HUBSPOT_CLIENT_ID: required with HUBSPOT_CLIENT_SECRET');
  if (!env.HUBSPOT_CLIENT_SECRET) problems.push('HUBSPOT_CLIENT_SECRET: required with HUBSPOT_CLIENT_ID');
  if (!env.HUBSPOT_CLIENT_ID || !env.HUBSPOT_CLIENT_SECRET) return undefined;
  if (!env.HUBSPOT_REFRESH_TOKEN && !env.HUBSPOT_REDIRECT_URI) {
    problems.push('HUBSPOT_REDIRECT_URI: required for the OAuth install flow unless HUBSPOT_REFRESH_TOKEN is given');
  }
  return {
    mode: 'oauth',
    clientId: env.HUBSPOT_CLIENT_ID,
    clientSecret: env.HUBSPOT_CLIENT_SECRET,
    redirectUri: env.HUBSPOT_REDIRECT_URI,
    scopes: env.HUBSPOT_SCOPES ? env.HUBSPOT_SCOPES.split(/[\s,]+/).filter(Boolean) : DEFAULT_SCOPES,
    refreshToken: env.HUBSPOT_REFRESH_TOKEN,
  };
}
