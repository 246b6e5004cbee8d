import type { FastifyBaseLogger } from 'fastify';
import { newClientId, newClientSecret, newStaticToken } from './ids.js';
import type { SavedCredentials } from './persistence/snapshot.js';
import type { RateLimitSettings, SandboxOptions } from './types.js';
import { applyWebhookSettings, DEFAULT_WEBHOOK_SETTINGS, type ResolvedWebhookSettings } from './webhooks/settings.js';

export const DEFAULT_KNOWN_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'company',
  'website',
  'lifecyclestage',
  'hs_lead_status',
  'jobtitle',
  'city',
  'country',
  'hs_email_optout',
];

export const READ_ONLY_PROPERTIES = ['hs_object_id', 'createdate', 'lastmodifieddate'];

export const DEFAULT_APP_ID = 4_021_337;

// HubSpot portals ship with these two email subscription types.
export const DEFAULT_SUBSCRIPTIONS = [
  { id: 91_370_001, name: 'Marketing Information' },
  { id: 91_370_002, name: 'One to One' },
];

// Scopes granted when nobody asks for specific ones; enough for everything the sandbox serves.
export const DEFAULT_SCOPES = [
  'oauth',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
  'communication_preferences.read_write',
];

export interface ResolvedOptions {
  port: number;
  host: string;
  portalId: number;
  clientId: string;
  clientSecret: string;
  staticTokens: string[];
  accessTokenTtlSeconds: number;
  rateLimit: RateLimitSettings | false;
  searchRateLimit: RateLimitSettings | false;
  dailyLimit: number;
  knownProperties: string[];
  subscriptions: Array<{ id: number; name: string }>;
  recordExchanges: boolean;
  logger: false | FastifyBaseLogger;
  appId: number;
  webhooks: ResolvedWebhookSettings;
  stateFile: string | undefined;
}

/** Credentials come from the options, else from the state file, else are made up for this start. */
export function resolveOptions(options: SandboxOptions = {}, saved?: SavedCredentials): ResolvedOptions {
  const staticTokens = options.staticTokens?.length
    ? [...options.staticTokens]
    : [...(saved?.staticTokens ?? [newStaticToken()])];
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    portalId: options.portalId ?? 62515,
    clientId: options.clientId ?? saved?.clientId ?? newClientId(),
    clientSecret: options.clientSecret ?? saved?.clientSecret ?? newClientSecret(),
    staticTokens,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1800,
    rateLimit: options.rateLimit === undefined ? { max: 110, intervalMs: 10_000 } : options.rateLimit,
    searchRateLimit: options.searchRateLimit === undefined ? { max: 5, intervalMs: 1000 } : options.searchRateLimit,
    dailyLimit: 250_000,
    knownProperties: options.knownProperties ?? DEFAULT_KNOWN_PROPERTIES,
    subscriptions: options.subscriptions ?? DEFAULT_SUBSCRIPTIONS,
    recordExchanges: options.recordExchanges ?? false,
    logger: options.logger ?? false,
    appId: options.appId ?? DEFAULT_APP_ID,
    webhooks: applyWebhookSettings(DEFAULT_WEBHOOK_SETTINGS, options.webhooks),
    stateFile: options.stateFile,
  };
}
