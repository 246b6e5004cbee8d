/** The URL families the sandbox serves; each is one of HubSpot's published API versions. */
export const CONTACT_BASES = ['/crm/objects/2026-03/contacts', '/crm/v3/objects/contacts'] as const;
export const PROPERTY_BASES = ['/crm/properties/2026-03/contacts', '/crm/v3/properties/contacts'] as const;
export const PREFERENCES_V3 = '/communication-preferences/v3';
export const PREFERENCES_2026_03 = '/communication-preferences/2026-03';
export const TOKEN_PATHS = ['/oauth/2026-03/token', '/oauth/v3/token', '/oauth/v1/token'] as const;
export const TOKEN_V3_FAMILY = ['/oauth/2026-03/token', '/oauth/v3/token'] as const;
export const ACCOUNT_INFO_BASES = ['/account-info/2026-03', '/account-info/v3'] as const;
export const ADMIN_BASE = '/_sandbox';
