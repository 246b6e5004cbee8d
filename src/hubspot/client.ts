/**
 * The client the activities layer builds once per portal (or per token source): it composes the HTTP
 * layer, the version's paths and the operation groups over one rate budget.
 */
import { createAccountApi, type AccountApi } from './account.js';
import { createContactsApi, type ContactsApi } from './contacts.js';
import { createHttp, type HubSpotLogger, type TokenProvider } from './http.js';
import { createOAuthApi, type OAuthApi, type OAuthCredentials } from './oauth.js';
import { DEFAULT_API_VERSION, pathsFor, type ApiVersion, type HubSpotPaths } from './paths.js';
import { createRateBudget, DEFAULT_MAX, type Clock, type RateBudget, type RateBudgetOptions } from './rate-budget.js';
import { createSubscriptionsApi, type SubscriptionsApi } from './subscriptions.js';

export const DEFAULT_BASE_URL = 'https://api.hubapi.com';
/** HubSpot answers in well under a second; 15 s leaves room for slow batch writes, not for hangs. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface HubSpotClientOptions {
  baseUrl?: string;
  apiVersion?: ApiVersion;
  /** Needed for CRM, communication-preferences and account calls; asked for a token before every request. */
  tokenProvider?: TokenProvider;
  /** Needed for the OAuth token endpoints. */
  oauth?: OAuthCredentials;
  timeoutMs?: number;
  /** Picks the default burst limit: 100 per 10 s for static tokens, 110 for OAuth installs. */
  authMode?: 'static' | 'oauth';
  /** A budget shared with other clients of the same portal (the portal session's); without it the client has its own. */
  rateBudget?: RateBudget;
  rateLimit?: Partial<Omit<RateBudgetOptions, 'clock'>>;
  clock?: Clock;
  /** Portal time zone (IANA) for daily-limit resets; UTC when unknown. */
  timeZone?: string;
  logger?: HubSpotLogger;
}

export interface HubSpotClient {
  apiVersion: ApiVersion;
  paths: HubSpotPaths;
  budget: RateBudget;
  contacts: ContactsApi;
  subscriptions: SubscriptionsApi;
  oauth: OAuthApi;
  account: AccountApi;
}

/** For private-app tokens and service keys, which do not expire on a schedule. */
export function staticTokenProvider(token: string): TokenProvider {
  return { getAccessToken: () => Promise.resolve(token) };
}

export function createHubSpotClient(options: HubSpotClientOptions = {}): HubSpotClient {
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const paths = pathsFor(apiVersion);
  const budgetOptions: RateBudgetOptions = {
    max: DEFAULT_MAX[options.authMode ?? 'static'],
    ...options.rateLimit,
    ...(options.clock ? { clock: options.clock } : {}),
  };
  const budget = options.rateBudget ?? createRateBudget(budgetOptions);
  const http = createHttp({
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    budget,
    tokenProvider: options.tokenProvider,
    timeZone: options.timeZone,
    logger: options.logger,
  });
  return {
    apiVersion,
    paths,
    budget,
    contacts: createContactsApi(http, paths.contacts),
    subscriptions: createSubscriptionsApi(http, paths.commPrefs),
    oauth: createOAuthApi(http, paths.oauth, options.oauth),
    account: createAccountApi(http, paths.account),
  };
}
