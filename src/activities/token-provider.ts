import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../shared/failure-types.js';
import { connectionWorkflowId } from '../shared/ids.js';
import { forceRefreshUpdate, getAccessTokenUpdate, reportAuthFailureSignal } from '../shared/messages.js';
import type { AccessTokenGrant } from '../shared/connection-types.js';
import { isFresh } from '../shared/token-validity.js';

/** Where activities get their bearer token, and whom they tell when HubSpot rejects it. */
export interface PortalTokenProvider {
  getAccessToken(): Promise<string>;
  /** After a 401 EXPIRED_AUTHENTICATION: one refresh, shared by every caller holding the same stale token. */
  forceRefresh(rejectedToken: string): Promise<void>;
  /** After a 401/403 that a refresh cannot cure: the connection shows it and decides what to do. */
  reportAuthFailure(message: string): Promise<void>;
}

/** An auth failure the lead workflow parks on; the type is what it recognizes. */
export function authFailure(message: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.HubSpotAuth, message, nonRetryable: true, cause });
}

async function signalConnection(client: Client, portalId: string, message: string): Promise<void> {
  try {
    await client.workflow.getHandle(connectionWorkflowId(portalId)).signal(reportAuthFailureSignal, { message });
  } catch {
    // The lead parks either way; a missing connection workflow is reported by the next token request.
  }
}

/** Static private-app or service-key token: nothing to refresh, but failures still reach the connection. */
export function staticTokenProvider(deps: { token: string; client: Client; portalId: string }): PortalTokenProvider {
  return {
    getAccessToken: () => Promise.resolve(deps.token),
    forceRefresh: () => Promise.resolve(),
    reportAuthFailure: (message) => signalConnection(deps.client, deps.portalId, message),
  };
}

/**
 * OAuth tokens come from the portal's connection workflow (its single owner) and are cached in-process until
 * the refresh instant the workflow put on the grant: from then on the workflow decides, so a worker never
 * refreshes on a rule of its own. Concurrent activities in this process share one pending request.
 */
export function connectionTokenProvider(deps: {
  client: Client;
  portalId: string;
  now?: () => number;
}): PortalTokenProvider {
  const now = deps.now ?? Date.now;
  const handle = () => deps.client.workflow.getHandle(connectionWorkflowId(deps.portalId));
  let cached: AccessTokenGrant | undefined;
  let pending: Promise<AccessTokenGrant> | undefined;

  const ask = (request: () => Promise<AccessTokenGrant>): Promise<AccessTokenGrant> => {
    pending ??= request()
      .then((grant) => (cached = grant))
      .catch((err: unknown) => {
        throw translate(err, deps.portalId);
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return {
    async getAccessToken() {
      if (cached && isFresh(cached, now())) return cached.accessToken;
      const grant = await ask(() => handle().executeUpdate(getAccessTokenUpdate, { args: [{}] }));
      return grant.accessToken;
    },
    async forceRefresh(rejectedToken) {
      // A request already on its way may bring back the very token HubSpot just rejected; let it land first.
      if (pending) await pending.catch(() => undefined);
      if (cached && cached.accessToken !== rejectedToken) return;
      cached = undefined;
      await ask(() => handle().executeUpdate(forceRefreshUpdate, { args: [{ rejectedToken }] }));
    },
    async reportAuthFailure(message) {
      cached = undefined;
      await signalConnection(deps.client, deps.portalId, message);
    },
  };
}

function translate(err: unknown, portalId: string): Error {
  if (
    err instanceof WorkflowUpdateFailedError &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === FailureType.HubSpotAuth
  ) {
    return authFailure(err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) {
    return authFailure(`no connection workflow for portal ${portalId}: connect the portal first (GET /oauth/install)`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
