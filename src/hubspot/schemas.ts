/**
 * zod schemas of every HubSpot answer the client reads. They follow the spec files in
 * `shared/hubspot-openapi/`, requiring what the spec requires for the fields we use, with two deliberate
 * deviations that match HubSpot's live behaviour (see `shared/hubspot-openapi/SOURCE.md`):
 * - property values may be `null` (requested properties without a value come back as `null`);
 * - every field of an error body is optional (HubSpot says to parse them that way).
 * Unknown keys are stripped rather than rejected, so HubSpot adding a field is never a bad response.
 */
import { z } from 'zod';
import { LEGAL_BASES } from '../shared/lead-types.js';

const dateTime = z.string();
const batchStatus = z.enum(['CANCELED', 'COMPLETE', 'PENDING', 'PROCESSING']);
const legalBasis = z.enum(LEGAL_BASES);
export type LegalBasis = z.infer<typeof legalBasis>;
export const LegalBasisSchema = legalBasis;

/** `Error` and `StandardError` from the specs, all optional; 429 bodies add `errorType`/`policyName`. */
export const ErrorBodySchema = z.looseObject({
  status: z.string().optional(),
  message: z.string().optional(),
  correlationId: z.string().optional(),
  category: z.string().optional(),
  // `StandardError.subCategory` is an object in the spec, `Error.subCategory` a string.
  subCategory: z.unknown().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
  links: z.record(z.string(), z.unknown()).optional(),
  id: z.string().optional(),
  errorType: z.string().optional(),
  policyName: z.string().optional(),
  groupName: z.string().optional(),
  // RFC 6749 fields on token-endpoint failures.
  error: z.string().optional(),
  error_description: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

const properties = z.record(z.string(), z.string().nullable());

/** `SimplePublicObject` / `SimplePublicObjectWithAssociations`. */
export const ContactSchema = z.object({
  id: z.string(),
  properties,
  createdAt: dateTime,
  updatedAt: dateTime,
  archived: z.boolean(),
  archivedAt: dateTime.optional(),
});
export type Contact = z.infer<typeof ContactSchema>;

/** `SimplePublicUpsertObject`. */
export const UpsertObjectSchema = ContactSchema.extend({ new: z.boolean() });

/** `BatchResponseSimplePublicUpsertObject` (200) and `...WithErrors` (207). */
export const BatchUpsertResponseSchema = z.object({
  status: batchStatus,
  results: z.array(UpsertObjectSchema),
  errors: z.array(ErrorBodySchema).optional(),
  numErrors: z.number().int().optional(),
  startedAt: dateTime,
  completedAt: dateTime,
});
export type BatchUpsertResponse = z.infer<typeof BatchUpsertResponseSchema>;

/** `BatchResponseSimplePublicObject` (200) and `...WithErrors` (207: some ids were not found). */
export const BatchReadResponseSchema = z.object({
  status: batchStatus,
  results: z.array(ContactSchema),
  errors: z.array(ErrorBodySchema).optional(),
  numErrors: z.number().int().optional(),
  startedAt: dateTime,
  completedAt: dateTime,
});

/** `CollectionResponseWithTotalSimplePublicObject`. */
export const SearchResponseSchema = z.object({
  total: z.number().int(),
  results: z.array(ContactSchema),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

const subscriptionDefinition = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  isActive: z.boolean(),
  isDefault: z.boolean(),
  isInternal: z.boolean(),
  createdAt: dateTime,
  updatedAt: dateTime,
  businessUnitId: z.number().int().optional(),
  communicationMethod: z.string().optional(),
  purpose: z.string().optional(),
});
export type SubscriptionDefinition = z.infer<typeof subscriptionDefinition>;

/** 2026-03 `ActionResponseWithResultsSubscriptionDefinition`. */
export const DefinitionsResponse2026Schema = z.object({
  status: batchStatus,
  results: z.array(subscriptionDefinition),
  startedAt: dateTime,
  completedAt: dateTime,
});

/** v3 `SubscriptionDefinitionsResponse`. */
export const DefinitionsResponseV3Schema = z.object({ subscriptionDefinitions: z.array(subscriptionDefinition) });

/** 2026-03 `PublicStatus`. */
export const PublicStatusSchema = z.object({
  subscriberIdString: z.string(),
  channel: z.literal('EMAIL'),
  subscriptionId: z.number().int(),
  subscriptionName: z.string().optional(),
  status: z.enum(['NOT_SPECIFIED', 'SUBSCRIBED', 'UNSUBSCRIBED']),
  source: z.string(),
  timestamp: dateTime,
  legalBasis: legalBasis.optional(),
  legalBasisExplanation: z.string().optional(),
  businessUnitId: z.number().int().optional(),
  setStatusSuccessReason: z
    .enum(['NO_STATUS_CHANGE', 'REQUESTED_CHANGE_OCCURRED', 'RESUBSCRIBE_OCCURRED', 'UNSUBSCRIBE_FROM_ALL_OCCURRED'])
    .optional(),
});
export type PublicStatus = z.infer<typeof PublicStatusSchema>;

/** 2026-03 `ActionResponseWithResultsPublicStatus`. */
export const StatusesResponse2026Schema = z.object({
  status: batchStatus,
  results: z.array(PublicStatusSchema),
  startedAt: dateTime,
  completedAt: dateTime,
});

/** v3 `PublicSubscriptionStatus`. */
export const SubscriptionStatusV3Schema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(['NOT_SUBSCRIBED', 'SUBSCRIBED']),
  sourceOfStatus: z.enum(['BRAND_WIDE_STATUS', 'PORTAL_WIDE_STATUS', 'SUBSCRIPTION_STATUS']),
  legalBasis: legalBasis.optional(),
  legalBasisExplanation: z.string().optional(),
  preferenceGroupName: z.string().optional(),
  brandId: z.number().int().optional(),
});

/** v3 `PublicSubscriptionStatusesResponse`. */
export const StatusesResponseV3Schema = z.object({
  recipient: z.string(),
  subscriptionStatuses: z.array(SubscriptionStatusV3Schema),
});

/** `AccessTokenResponse` (authorization_code and refresh_token grants). */
export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int(),
  token_type: z.string(),
  token_use: z.literal('access_token').optional(),
  hub_id: z.number().int().optional(),
  user_id: z.number().int().optional(),
  scopes: z.array(z.string()).optional(),
  id_token: z.string().optional(),
});

const introspectCommon = {
  active: z.literal(true),
  app_id: z.number().int(),
  client_id: z.string(),
  hub_id: z.number().int(),
  hub_domain: z.string().optional(),
  scopes: z.array(z.string()),
  token_type: z.string(),
  user: z.string().optional(),
  user_id: z.number().int(),
};

/**
 * `TokenInfoResponseBaseIF` (access- or refresh-token info). An unknown or revoked token answers
 * 200 `{"active": false}`, which the spec does not list, so it is accepted as its own shape.
 */
export const IntrospectResponseSchema = z.union([
  z.object({ ...introspectCommon, token_use: z.literal('access_token'), expires_in: z.number().int() }),
  z.object({ ...introspectCommon, token_use: z.literal('refresh_token') }),
  z.object({ active: z.literal(false) }),
]);

/**
 * `GET /account-info/{version}/details`. No spec file in `shared/hubspot-openapi/` covers it; the fields are those
 * of HubSpot's "Retrieve account details" reference pages, which mark every one required. Only `portalId` is
 * required here: it is what the call is made for, and the reference's own v3 example leaves out `accountType`.
 * `accountType` is a plain string so that a type HubSpot adds later is not a bad response.
 */
export const AccountDetailsSchema = z.object({
  portalId: z.number().int().positive(),
  accountType: z.string().optional(),
  timeZone: z.string().optional(),
  companyCurrency: z.string().optional(),
  additionalCurrencies: z.array(z.string()).optional(),
  uiDomain: z.string().optional(),
  dataHostingLocation: z.string().optional(),
  utcOffset: z.string().optional(),
  utcOffsetMilliseconds: z.number().int().optional(),
});
