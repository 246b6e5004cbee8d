import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TokenActivities } from '../activities/tokens.js';
import { FailureType } from '../shared/failure-types.js';
import { failureOf } from '../shared/failures.js';
import type {
  AccessTokenGrant,
  ConnectionInput,
  ConnectionState,
  ConnectionStatus,
  OAuthTokens,
} from '../shared/connection-types.js';
import {
  connectionRestoredSignal,
  connectionStatusQuery,
  forceRefreshUpdate,
  getAccessTokenUpdate,
  parkLeadSignal,
  reauthorizeUpdate,
  reportAuthFailureSignal,
} from '../shared/messages.js';
import { HubSpotConnectionState, HubSpotPortal } from '../shared/search-attributes.js';
import { isFresh, outageGrantUntil, refreshAt } from '../shared/token-validity.js';

const DEFAULT_MARGIN_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const VERIFY_WINDOW_MS = 10 * 60_000;

// One short retry inside the activity covers a lost response; longer outages are retried by the loop
// below so that each failure shows in `status` instead of hiding inside an activity's attempts.
const tokens = proxyActivities<TokenActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 2, initialInterval: '1s', nonRetryableErrorTypes: [FailureType.HubSpotBadRefreshToken] },
});

/**
 * The one owner of a portal's credentials. OAuth tokens are refreshed on a durable timer ahead of expiry and
 * handed to activities through `getAccessToken`; however many callers ask at once, one refresh runs.
 */
export async function hubspotConnection(input: ConnectionInput): Promise<void> {
  const s: ConnectionState = input.state ?? {
    mode: input.mode,
    portalId: input.portalId,
    state: input.mode === 'static' ? 'connected' : 'needs_reauth',
    consecutiveFailures: 0,
    parked: [],
  };
  let inFlight: Promise<void> | undefined;
  let wake = false;

  const status = (): ConnectionStatus => ({
    mode: s.mode,
    state: s.state,
    portalId: s.portalId,
    hubId: s.tokens?.hubId,
    expiresAt: s.tokens ? new Date(s.tokens.expiresAt).toISOString() : undefined,
    lastRefreshAt: s.lastRefreshAt ? new Date(s.lastRefreshAt).toISOString() : undefined,
    consecutiveFailures: s.consecutiveFailures,
    lastError: s.lastError,
    scopes: s.tokens?.scopes,
  });

  const publishState = () =>
    upsertSearchAttributes([
      { key: HubSpotPortal, value: s.portalId },
      { key: HubSpotConnectionState, value: s.state },
    ]);

  /** When the current token is due for refresh: the timer, the update and every worker's cache go by this instant. */
  const dueAt = (): number | undefined => {
    const t = s.tokens;
    if (!t) return undefined;
    // connected() sets both together; a token of unknown age is refreshed by the margin alone.
    const issuedAt = s.lastRefreshAt ?? 0;
    return refreshAt({ issuedAt, expiresAt: t.expiresAt }, input.refreshMarginMs ?? DEFAULT_MARGIN_MS);
  };

  const connected = async (t: OAuthTokens) => {
    s.tokens = t;
    s.lastRefreshAt = Date.now();
    s.consecutiveFailures = 0;
    s.lastError = undefined;
    s.state = 'connected';
    publishState();
    wake = true;
    await releaseParked();
  };

  const releaseParked = async () => {
    const parked = s.parked.splice(0);
    for (const id of parked) {
      try {
        await getExternalWorkflowHandle(id).signal(connectionRestoredSignal);
      } catch (err) {
        log.warn('parked lead could not be woken', { workflowId: id, error: String(err) });
      }
    }
  };

  const needsReauth = (message: string) => {
    s.state = 'needs_reauth';
    s.lastError = message;
    publishState();
    wake = true;
    log.warn('connection needs re-authorization', { portalId: s.portalId, reason: message });
  };

  /** Refreshes until it works or the refresh token is dead; concurrent callers share one run. */
  const refresh = (): Promise<void> => {
    inFlight ??= (async () => {
      s.state = 'refreshing';
      publishState();
      for (;;) {
        const refreshToken = s.tokens?.refreshToken;
        if (!refreshToken) return needsReauth('no refresh token');
        try {
          const issuedAt = Date.now();
          const fresh = await tokens.refreshAccessToken({ refreshToken });
          await connected(fresh);
          log.info('access token refreshed', { portalId: s.portalId, expiresInMs: fresh.expiresAt - issuedAt });
          return;
        } catch (err) {
          const failure = failureOf(err);
          // A dead refresh token, a wrong client secret, a removed app: no retry fixes these, a new install does.
          if (failure.permanent || failure.type === FailureType.HubSpotBadRefreshToken) {
            return needsReauth(failure.message);
          }
          s.consecutiveFailures += 1;
          s.lastError = failure.message;
          const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(s.consecutiveFailures, 10));
          log.warn('token refresh failed, retrying', {
            attempt: s.consecutiveFailures,
            backoffMs: backoff,
            type: failure.type,
          });
          await sleep(backoff);
        }
      }
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const requireUsable = () => {
    if (s.mode === 'static') {
      throw ApplicationFailure.create({
        type: FailureType.HubSpotAuth,
        nonRetryable: true,
        message: 'static-token connections hand out no tokens; the worker reads HUBSPOT_ACCESS_TOKEN',
      });
    }
    if (s.state === 'needs_reauth') {
      throw ApplicationFailure.create({
        type: FailureType.HubSpotAuth,
        nonRetryable: true,
        message: `portal ${s.portalId} needs re-authorization: ${s.lastError ?? 'no tokens yet'}`,
      });
    }
  };

  /**
   * The timer and the getAccessToken update both come here: whichever is first refreshes, the other shares that
   * run, and one that arrives after it finished finds the new token fresh. One expiry, one refresh.
   */
  const refreshIfStale = async () => {
    const due = dueAt();
    if (due === undefined || !isFresh({ refreshAt: due }, Date.now())) await refresh();
  };

  const stale = () => {
    const due = dueAt();
    return due === undefined || !isFresh({ refreshAt: due }, Date.now());
  };

  /** While its refresh runs (or retries through an outage), until when a stale token that still works may serve. */
  const staleGrant = () => (s.tokens ? outageGrantUntil(s.tokens, Date.now()) : undefined);

  const grant = (): AccessTokenGrant => {
    requireUsable();
    const t = s.tokens!;
    const due = dueAt()!;
    return { accessToken: t.accessToken, expiresAt: t.expiresAt, refreshAt: stale() ? (staleGrant() ?? due) : due };
  };

  setHandler(connectionStatusQuery, status);

  setHandler(getAccessTokenUpdate, async () => {
    requireUsable();
    if (!stale()) return grant();
    // A stale token that still has a while to live keeps serving while the refresh runs, so a slow or failing token
    // endpoint never holds up HubSpot calls; only a token about to expire makes callers wait for the new one.
    void refreshIfStale();
    await condition(() => !stale() || staleGrant() !== undefined || s.state === 'needs_reauth');
    return grant();
  });

  setHandler(forceRefreshUpdate, async ({ rejectedToken }) => {
    requireUsable();
    // A caller holding an older token than ours lost a race with a refresh that already happened.
    if (!rejectedToken || rejectedToken === s.tokens?.accessToken) await refresh();
    return grant();
  });

  setHandler(reauthorizeUpdate, async (how) => {
    if ('static' in how) {
      if (s.mode !== 'static')
        throw ApplicationFailure.create({
          type: FailureType.InvalidInput,
          nonRetryable: true,
          message: 'not a static-token connection',
        });

      s.state = 'connected';
      s.lastError = undefined;
      publishState();
      await releaseParked();
      return status();
    }
    if (s.mode !== 'oauth')
      throw ApplicationFailure.create({
        type: FailureType.InvalidInput,
        nonRetryable: true,
        message: 'not an OAuth connection',
      });
    const fresh =
      'tokens' in how
        ? how.tokens
        : 'code' in how
          ? await tokens.exchangeAuthorizationCode(how)
          : await tokens.refreshAccessToken(how);
    if (fresh.hubId !== undefined && String(fresh.hubId) !== s.portalId) {
      throw ApplicationFailure.create({
        type: FailureType.InvalidInput,
        nonRetryable: true,
        message: `the tokens belong to portal ${fresh.hubId}, not ${s.portalId}`,
      });
    }
    await connected(fresh);
    return status();
  });

  setHandler(reportAuthFailureSignal, ({ message }) => {
    if (s.mode === 'static' || s.state !== 'connected') {
      if (s.mode === 'static') needsReauth(message);
      return;
    }
    // HubSpot rejected a token we thought good (revoked install, missing scope). One refresh may cure a revoked
    // access token; if the rejection comes back soon after it, only a new install will.
    const now = Date.now();
    if (s.lastVerifiedAt !== undefined && now - s.lastVerifiedAt < VERIFY_WINDOW_MS) {
      needsReauth(message);
      return;
    }
    s.lastVerifiedAt = now;
    s.lastError = message;
    void refresh();
  });

  setHandler(parkLeadSignal, ({ workflowId }) => {
    if (s.state === 'connected') {
      // Recovered between the lead's failure and its signal: wake it at once.
      void getExternalWorkflowHandle(workflowId)
        .signal(connectionRestoredSignal)
        .catch(() => undefined);
      return;
    }
    if (!s.parked.includes(workflowId)) s.parked.push(workflowId);
  });

  const historyTooLong = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  publishState();

  for (;;) {
    if (historyTooLong()) break;
    wake = false;
    const due = dueAt();
    if (s.mode === 'oauth' && s.state === 'connected' && due !== undefined) {
      const woken = await condition(() => wake || historyTooLong(), Math.max(1, due - Date.now()));
      if (!woken) await refreshIfStale();
    } else {
      await condition(() => wake || historyTooLong());
    }
  }
  await condition(() => inFlight === undefined && allHandlersFinished());
  await continueAsNew<typeof hubspotConnection>({ ...input, state: s });
}
