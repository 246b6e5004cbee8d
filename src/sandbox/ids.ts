import { randomBytes, randomUUID } from 'node:crypto';

export const newCorrelationId = (): string => randomUUID();
export const newClientId = (): string => randomUUID();
export const newClientSecret = (): string => randomUUID();
export const newStaticToken = (): string => `pat-na1-${randomUUID()}`;
export const newRefreshToken = (): string => `na1-${randomUUID()}`;
export const newAuthorizationCode = (): string => `na1-${randomUUID()}`;
// Real access tokens are opaque and a few hundred characters long; clients must not assume a shorter size.
export const newAccessToken = (): string => `C${randomBytes(120).toString('base64url')}`;
