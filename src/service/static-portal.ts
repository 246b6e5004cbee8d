import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createHubSpotClient, HubSpotError, staticTokenProvider } from '../hubspot/index.js';

/**
 * The portal a static token (private app or service key) belongs to, from HubSpot's account details. When HubSpot
 * cannot be asked right now (an outage, a rate limit), the portal an earlier start learned is used. A token HubSpot
 * refuses, or no portal to fall back on, stops start-up with a message that says why: guessing could file the leads
 * under another portal's ids.
 */
export async function staticTokenPortal(
  hubspot: Config['hubspot'],
  token: string,
  portalFile: string,
  logger: Logger,
): Promise<string> {
  const client = createHubSpotClient({
    baseUrl: hubspot.baseUrl,
    apiVersion: hubspot.apiVersion,
    timeoutMs: hubspot.timeoutMs,
    tokenProvider: staticTokenProvider(token),
    authMode: 'static',
  });
  try {
    const { portalId } = await client.account.details();
    logger.info({ portalId }, 'learned the portal of HUBSPOT_ACCESS_TOKEN from HubSpot');
    return portalId;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const transient = err instanceof HubSpotError && err.retryable;
    const remembered = transient
      ? await readFile(portalFile, 'utf8').then(
          (s) => s.trim() || undefined,
          () => undefined,
        )
      : undefined;
    if (remembered) {
      logger.warn(
        { reason, portalId: remembered },
        'could not ask HubSpot which portal the token belongs to; using the last one',
      );
      return remembered;
    }
    throw new Error(
      `could not learn which portal HUBSPOT_ACCESS_TOKEN belongs to (account details: ${reason}); check the token, or set HUBSPOT_PORTAL_ID`,
      { cause: err },
    );
  }
}
