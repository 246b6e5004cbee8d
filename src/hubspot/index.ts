export {
  createHubSpotClient,
  staticTokenProvider,
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  type HubSpotClient,
  type HubSpotClientOptions,
} from './client.js';
export type { CallOptions, HubSpotLogger, TokenProvider } from './http.js';
export {
  HubSpotError,
  isHubSpotError,
  classifyResponse,
  classifyTransportError,
  classifyBatchError,
  type ClassifyContext,
  type HttpAnswer,
  type HubSpotErrorInit,
  type SanitizedCause,
} from './errors.js';
export {
  API_VERSIONS,
  DEFAULT_API_VERSION,
  parseApiVersion,
  pathsFor,
  type AccountPaths,
  type ApiVersion,
  type HubSpotPaths,
} from './paths.js';
export {
  createRateBudget,
  systemClock,
  DEFAULT_MAX,
  DEFAULT_INTERVAL_MS,
  DEFAULT_SEARCH_MAX,
  DEFAULT_SEARCH_INTERVAL_MS,
  type BudgetKind,
  type Clock,
  type RateBudget,
  type RateBudgetOptions,
} from './rate-budget.js';
export {
  MAX_BATCH_INPUTS,
  type ContactsApi,
  type ContactRef,
  type CreateResult,
  type UpsertInput,
} from './contacts.js';
export type { UpsertResult } from './batch-upsert.js';
export type {
  EmailSubscriptionStatuses,
  LegalBasisInput,
  SubscriptionChange,
  SubscriptionChangeInput,
  SubscriptionState,
  SubscriptionStatusEntry,
  SubscriptionsApi,
  UnsubscribeAllResult,
} from './subscriptions.js';
export type { AccountApi, AccountDetails } from './account.js';
export type { OAuthApi, OAuthCredentials, TokenInfo, TokenSet, TokenTypeHint } from './oauth.js';
export type { Contact, LegalBasis, SubscriptionDefinition } from './schemas.js';
