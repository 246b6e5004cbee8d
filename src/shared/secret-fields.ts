import type { UpdateDefinition } from '@temporalio/common';
import type { AccessTokenGrant, OAuthTokens, ReauthorizeInput } from './connection-types.js';
import type { forceRefreshUpdate } from './messages.js';

/** The keys of `T`, of each member when `T` is a union. */
type KeysOf<T> = T extends unknown ? Extract<keyof T, string> : never;
type UpdateInput<D> = D extends UpdateDefinition<unknown, infer Args> ? Args[0] : never;

/**
 * The credential fields of the payloads Temporal stores, by the shared type that declares them: the connection
 * workflow's input and continue-as-new state (`OAuthTokens`), the token updates' answers (`AccessTokenGrant`) and
 * arguments, and the token activities' inputs and results. Each list is checked against its type, so a renamed field
 * fails the build; test/http/codec-secrets.test.ts walks every message, workflow and activity type and fails on a
 * credential-like field that no list names.
 */
export const secretFieldsOf = {
  OAuthTokens: ['accessToken', 'refreshToken'],
  AccessTokenGrant: ['accessToken'],
  ReauthorizeInput: ['code', 'refreshToken'],
  ForceRefreshInput: ['rejectedToken'],
} as const satisfies {
  OAuthTokens: readonly KeysOf<OAuthTokens>[];
  AccessTokenGrant: readonly KeysOf<AccessTokenGrant>[];
  ReauthorizeInput: readonly KeysOf<ReauthorizeInput>[];
  ForceRefreshInput: readonly KeysOf<UpdateInput<typeof forceRefreshUpdate>>[];
};

/** HubSpot's own names for the same credentials (OAuth form fields and token bodies), as error details may echo them. */
const hubspotWireNames = ['access_token', 'refresh_token', 'client_secret'] as const;
/** The service's configuration names of its secrets, as a log line may carry them. */
const configurationNames = ['clientSecret', 'apiKey', 'authorization', 'token', 'secret'] as const;

/** Every field whose string value is a credential, whatever it looks like. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set<string>([
  ...Object.values(secretFieldsOf).flat(),
  ...hubspotWireNames,
  ...configurationNames,
]);
