/**
 * Account details. A static token (legacy private app or Service Key) comes with no portal id, unlike an
 * OAuth token answer, so this is where such a portal learns its id. It is an ordinary bearer call: the same
 * token provider and rate budget as the CRM calls, and its failures are classified like theirs.
 */
import type { CallOptions, Http } from './http.js';
import type { AccountPaths } from './paths.js';
import { AccountDetailsSchema } from './schemas.js';

export interface AccountDetails {
  /** HubSpot sends a number; portal ids travel as strings in our workflow ids and configuration. */
  portalId: string;
  /** `STANDARD`, `SANDBOX`, `DEVELOPER_TEST` or `APP_DEVELOPER` today. */
  accountType?: string;
  /** The portal's time zone, in which HubSpot resets the daily limit. */
  timeZone?: string;
  companyCurrency?: string;
  uiDomain?: string;
  dataHostingLocation?: string;
}

export interface AccountApi {
  details(opts?: CallOptions): Promise<AccountDetails>;
}

export function createAccountApi(http: Http, paths: AccountPaths): AccountApi {
  return {
    async details(opts = {}) {
      const res = await http.send({
        op: 'account.details',
        method: 'GET',
        path: paths.details,
        auth: 'bearer',
        budget: 'api',
        schema: AccountDetailsSchema,
        signal: opts.signal,
      });
      const { portalId, accountType, timeZone, companyCurrency, uiDomain, dataHostingLocation } = res.body;
      return { portalId: String(portalId), accountType, timeZone, companyCurrency, uiDomain, dataHostingLocation };
    },
  };
}
