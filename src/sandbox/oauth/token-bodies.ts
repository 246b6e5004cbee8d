import type { SandboxState } from '../state/sandbox-state.js';
import { SANDBOX_USER, type TokenGrant } from '../state/token-store.js';

const hubDomain = (state: SandboxState): string => `sandbox-${state.options.portalId}.hubspot.com`;

export function accessTokenResponse(state: SandboxState, grant: TokenGrant) {
  return {
    access_token: grant.accessToken,
    refresh_token: grant.refreshToken,
    expires_in: grant.expiresIn,
    token_type: 'bearer',
    token_use: 'access_token',
    hub_id: state.options.portalId,
    user_id: SANDBOX_USER.id,
    scopes: grant.scopes,
  };
}

/** `POST .../token/introspect` for a live access token (the spec's PublicAccessTokenInfoResponse). */
export function accessTokenIntrospection(state: SandboxState, token: string, expiresIn: number, scopes: string[]) {
  const { portalId, clientId } = state.options;
  return {
    active: true,
    token,
    token_type: 'bearer',
    token_use: 'access_token',
    client_id: clientId,
    app_id: state.options.appId,
    hub_id: portalId,
    hub_domain: hubDomain(state),
    user: SANDBOX_USER.email,
    user_id: SANDBOX_USER.id,
    scopes,
    expires_in: expiresIn,
    is_private_distribution: false,
    signed_access_token: {
      appId: state.options.appId,
      appInstallId: `sandbox-install-${portalId}`,
      audience: 'sandbox',
      expiresAt: Date.now() + expiresIn * 1000,
      hubId: portalId,
      hublet: 'na1',
      installingUserId: SANDBOX_USER.id,
      isPrivateDistribution: false,
      isServiceAccount: false,
      isUserLevel: false,
      newSignature: 'sandbox',
      scopeToScopeGroupPks: '',
      scopes: scopes.join(' '),
      signature: 'sandbox',
      trialScopeToScopeGroupPks: '',
      trialScopes: '',
      userId: SANDBOX_USER.id,
    },
  };
}

/** `POST .../token/introspect` for a live refresh token (the spec's PublicRefreshTokenInfoResponse). */
export function refreshTokenIntrospection(state: SandboxState, token: string, scopes: string[]) {
  return {
    active: true,
    token,
    token_type: 'refresh',
    token_use: 'refresh_token',
    client_id: state.options.clientId,
    app_id: state.options.appId,
    hub_id: state.options.portalId,
    hub_domain: hubDomain(state),
    user: SANDBOX_USER.email,
    user_id: SANDBOX_USER.id,
    scopes,
  };
}

/** `GET /oauth/v1/access-tokens/{token}` (AccessTokenInfoResponse). */
export function v1AccessTokenInfo(state: SandboxState, token: string, expiresIn: number, scopes: string[]) {
  return {
    token,
    token_type: 'access',
    user: SANDBOX_USER.email,
    user_id: SANDBOX_USER.id,
    hub_domain: hubDomain(state),
    hub_id: state.options.portalId,
    app_id: state.options.appId,
    scopes,
    expires_in: expiresIn,
    is_private_distribution: false,
  };
}

/** `GET /oauth/v1/refresh-tokens/{token}` (RefreshTokenInfoResponse). */
export function v1RefreshTokenInfo(state: SandboxState, token: string, scopes: string[]) {
  return {
    token,
    token_type: 'refresh',
    user: SANDBOX_USER.email,
    user_id: SANDBOX_USER.id,
    hub_domain: hubDomain(state),
    hub_id: state.options.portalId,
    client_id: state.options.clientId,
    scopes,
  };
}
