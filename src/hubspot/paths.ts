/**
 * Where each operation lives for each API version. HubSpot moved to date-based versions (`2026-03`) and
 * ends support for `/v3/` paths in September 2027, so `2026-03` is the default and `v3` is kept for
 * portals or proxies that still need it. Every path here was checked against the spec files in
 * `shared/hubspot-openapi/`, except account-info, which has no spec file there: its paths follow HubSpot's
 * "Retrieve account details" reference pages (`2026-03` and legacy `v3`).
 */
export const API_VERSIONS = ['2026-03', 'v3'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const DEFAULT_API_VERSION: ApiVersion = '2026-03';

/** Reads `HUBSPOT_API_VERSION`-style input; an unknown value throws rather than silently using another API. */
export function parseApiVersion(value: string | undefined): ApiVersion {
  if (value === undefined || value.trim() === '') return DEFAULT_API_VERSION;
  const trimmed = value.trim();
  const found = API_VERSIONS.find((v) => v === trimmed);
  if (!found) throw new Error(`Unknown HubSpot API version "${trimmed}"; expected one of ${API_VERSIONS.join(', ')}`);
  return found;
}

export interface ContactPaths {
  collection: string;
  /** `id` is a HubSpot record id or, with `idProperty=email`, an email address. */
  one(id: string): string;
  batchUpsert: string;
  batchRead: string;
  search: string;
  gdprDelete: string;
}

export interface CommPrefsPaths2026 {
  version: '2026-03';
  definitions: string;
  /** GET (with `channel=EMAIL`) reads, POST writes one subscription's status. */
  statuses(email: string): string;
  unsubscribeAll(email: string): string;
}

export interface CommPrefsPathsV3 {
  version: 'v3';
  definitions: string;
  status(email: string): string;
  subscribe: string;
  unsubscribe: string;
}

export interface OAuthPaths {
  token: string;
  introspect: string;
  revoke: string;
}

export interface AccountPaths {
  details: string;
}

export interface HubSpotPaths {
  version: ApiVersion;
  contacts: ContactPaths;
  commPrefs: CommPrefsPaths2026 | CommPrefsPathsV3;
  oauth: OAuthPaths;
  account: AccountPaths;
}

// Path segments carry emails (`@`, `+`), which must not be read as URL syntax.
const seg = (value: string): string => encodeURIComponent(value);

function contactPaths(base: string): ContactPaths {
  return {
    collection: base,
    one: (id) => `${base}/${seg(id)}`,
    batchUpsert: `${base}/batch/upsert`,
    batchRead: `${base}/batch/read`,
    search: `${base}/search`,
    gdprDelete: `${base}/gdpr-delete`,
  };
}

function oauthPaths(version: ApiVersion): OAuthPaths {
  const base = `/oauth/${version}/token`;
  return { token: base, introspect: `${base}/introspect`, revoke: `${base}/revoke` };
}

function accountPaths(version: ApiVersion): AccountPaths {
  return { details: `/account-info/${version}/details` };
}

export function pathsFor(version: ApiVersion): HubSpotPaths {
  if (version === 'v3') {
    const base = '/communication-preferences/v3';
    return {
      version,
      contacts: contactPaths('/crm/v3/objects/contacts'),
      commPrefs: {
        version: 'v3',
        definitions: `${base}/definitions`,
        status: (email) => `${base}/status/email/${seg(email)}`,
        subscribe: `${base}/subscribe`,
        unsubscribe: `${base}/unsubscribe`,
      },
      oauth: oauthPaths(version),
      account: accountPaths(version),
    };
  }
  const base = `/communication-preferences/${version}`;
  return {
    version,
    contacts: contactPaths(`/crm/objects/${version}/contacts`),
    commPrefs: {
      version,
      definitions: `${base}/definitions`,
      statuses: (email) => `${base}/statuses/${seg(email)}`,
      unsubscribeAll: (email) => `${base}/statuses/${seg(email)}/unsubscribe-all`,
    },
    oauth: oauthPaths(version),
    account: accountPaths(version),
  };
}
