import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../../../src/activities/index.js';
import { createTokenActivities } from '../../../src/activities/tokens.js';
import { createHubSpotClient } from '../../../src/hubspot/index.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import type { ConnectionStatus } from '../../../src/shared/connection-types.js';
import type { forceRefreshUpdate, getAccessTokenUpdate, reauthorizeUpdate } from '../../../src/shared/messages.js';
import type { hubspotConnection } from '../../../src/workflows/hubspot-connection.js';

type Update<D> = D extends UpdateDefinition<infer R, infer A> ? { args: A[0]; result: R } : never;
type ActivityInput<K extends keyof Activities> = Parameters<Activities[K]>[0];
type ActivityResult<K extends keyof Activities> = Awaited<ReturnType<Activities[K]>>;

export interface TokenPayloadSamples {
  /** By the label test/http/helpers/stored-payload-types.ts gives the payload type; each type checked by the compiler. */
  samples: Record<string, unknown[]>;
  /** Every credential the samples hold. */
  secrets: string[];
  /** Free text with credentials inside, as a `lastError` or a failure message may quote them. */
  status: ConnectionStatus;
}

/**
 * A sample of every token-bearing payload, holding real credentials: the sandbox issues the code and refresh token,
 * and the service's own token activities exchange them over HTTP for the tokens the connection workflow stores.
 */
export async function tokenPayloadSamples(sandbox: Sandbox): Promise<TokenPayloadSamples> {
  const { oauth } = createHubSpotClient({
    baseUrl: sandbox.baseUrl,
    oauth: { clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
  });
  const activities = createTokenActivities({ oauth });
  const redirectUri = 'http://127.0.0.1:3000/oauth/callback';
  const portalId = String(sandbox.portalId);

  const codeInput: ActivityInput<'exchangeAuthorizationCode'> = {
    code: sandbox.issueAuthorizationCode(redirectUri),
    redirectUri,
  };
  const installed: ActivityResult<'exchangeAuthorizationCode'> = await activities.exchangeAuthorizationCode(codeInput);
  const refreshInput: ActivityInput<'refreshAccessToken'> = { refreshToken: installed.refreshToken };
  const refreshed: ActivityResult<'refreshAccessToken'> = await activities.refreshAccessToken(refreshInput);
  const grant: Update<typeof getAccessTokenUpdate>['result'] = {
    accessToken: refreshed.accessToken,
    expiresAt: refreshed.expiresAt,
    refreshAt: refreshed.expiresAt - 300_000,
  };
  const rejected: Update<typeof forceRefreshUpdate>['args'] = { rejectedToken: installed.accessToken };
  const reauthorize: Update<typeof reauthorizeUpdate>['args'][] = [
    { code: sandbox.issueAuthorizationCode(redirectUri), redirectUri },
    { refreshToken: sandbox.issueRefreshToken() },
    { tokens: installed },
  ];
  const carried: Parameters<typeof hubspotConnection>[0] = {
    portalId,
    mode: 'oauth',
    state: {
      mode: 'oauth',
      portalId,
      state: 'connected',
      tokens: refreshed,
      lastRefreshAt: Date.now(),
      consecutiveFailures: 0,
      parked: [`lead:${portalId}:ada@example.com`],
    },
  };
  const status: ConnectionStatus = {
    mode: 'oauth',
    state: 'needs_reauth',
    portalId,
    consecutiveFailures: 1,
    lastError: `HubSpot answered 401 to Bearer ${sandbox.staticToken}; access token ${refreshed.accessToken} and refresh token ${installed.refreshToken} refused`,
  };

  return {
    samples: {
      'activity exchangeAuthorizationCode input': [codeInput],
      'activity exchangeAuthorizationCode result': [installed],
      'activity refreshAccessToken input': [refreshInput],
      'activity refreshAccessToken result': [refreshed],
      'update getAccessToken result': [grant],
      'update forceRefresh args': [rejected],
      'update forceRefresh result': [grant],
      'update reauthorize args': reauthorize,
      'workflow hubspotConnection input': [carried],
    },
    secrets: [
      codeInput.code,
      installed.accessToken,
      installed.refreshToken,
      refreshed.accessToken,
      ...reauthorize.flatMap((r) => ('code' in r ? [r.code] : 'refreshToken' in r ? [r.refreshToken] : [])),
      sandbox.staticToken,
    ],
    status,
  };
}
