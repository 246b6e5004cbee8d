import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createHubSpotClient, staticTokenProvider } from '../hubspot/index.js';

/**
 * The portal a static token (private app or service key) belongs to, from HubSpot's account details. When HubSpot
 * cannot be asked right now, the portal an earlier start learned is used; with neither, start-up stops and says why.
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
    const remembered = await readFile(portalFile, 'utf8').then(
      (s) => s.trim() || undefined,
      () => undefined,
    );
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
