import { z } from 'zod';
import { LEGAL_BASES } from '../shared/lead-types.js';
import { normalizeEmail } from '../shared/ids.js';
import { optOutOf } from '../shared/opt-out-properties.js';

export const MAX_PROPERTIES = 200;
export const MAX_PROPERTY_VALUE_LENGTH = 65_536;
export const MAX_EVENT_ID_LENGTH = 255;
export const MAX_RETRY_EVENT_IDS = 1_000;

/**
 * A type error that says what happened: "is required" only when the field is absent, `wrongType` when it is there
 * with another type (a null included). Other issues keep their own messages.
 */
function typeError(wrongType: string) {
  return {
    error: (issue: { code?: string; input?: unknown }) =>
      issue.code !== 'invalid_type' ? undefined : issue.input === undefined ? 'is required' : wrongType,
  };
}

const PROPERTY_NAME_RULE = 'must be a HubSpot internal property name (lower-case letters, digits, _)';

// HubSpot's internal property names: lower-case letters, digits and underscores, starting with a letter.
const propertyName = z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, PROPERTY_NAME_RULE);

export const emailSchema = z
  .string(typeError('must be a string'))
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be an email address' }))
  .transform(normalizeEmail);

export const propertiesSchema = z
  .record(
    propertyName,
    z.union(
      [
        z.string().max(MAX_PROPERTY_VALUE_LENGTH, `must be at most ${MAX_PROPERTY_VALUE_LENGTH} characters`),
        z.number().finite(),
        z.boolean(),
      ],
      {
        error: 'must be a string, number or boolean',
      },
    ),
    {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? PROPERTY_NAME_RULE
          : typeError('must be an object of property names and values').error(issue),
    },
  )
  .refine((p) => Object.keys(p).length <= MAX_PROPERTIES, `must have at most ${MAX_PROPERTIES} properties`)
  .refine((p) => !('email' in p), 'must not contain email: the lead is identified by its email address')
  .refine(
    (p) => !Object.keys(p).some((name) => optOutOf(name) !== undefined),
    'must not contain hs_email_optout properties: HubSpot derives them; use unsubscribe or resubscribe (with a legalBasis)',
  );

/**
 * An event id the backend chooses, such as an idempotency key (`signup:ada@example.com`): any printable text up to
 * 255 characters. Control characters would break log lines and terminals; a lone surrogate cannot survive the UTF-8
 * payload encoding, so the id the workflow saw would differ from the one the caller holds.
 */
export const eventIdValue = z
  .string(typeError('must be a string'))
  .min(1, 'must not be empty')
  .refine((id) => [...id].length <= MAX_EVENT_ID_LENGTH, `must be at most ${MAX_EVENT_ID_LENGTH} characters`)
  .regex(/^[^\p{Cc}\p{Cs}]*$/u, 'must be printable: no control characters');

export const eventIdSchema = eventIdValue.optional();

const SUBSCRIPTION_ID_RULE = 'must be a numeric subscription id';

const subscriptionChange = {
  // Each branch says the same, or a union that finds the type right names its own rule (a regex) instead.
  subscriptionId: z
    .union(
      [
        z.string().regex(/^\d{1,19}$/, SUBSCRIPTION_ID_RULE),
        z.number().int(SUBSCRIPTION_ID_RULE).nonnegative(SUBSCRIPTION_ID_RULE),
      ],
      { error: SUBSCRIPTION_ID_RULE },
    )
    .transform(String)
    .optional(),
  legalBasis: z.enum(LEGAL_BASES, { error: `must be one of ${LEGAL_BASES.join(', ')}` }).optional(),
  legalBasisExplanation: z
    .string(typeError('must be a string'))
    .max(1_000, 'must be at most 1000 characters')
    .optional(),
};

/** A request body (or a client call's argument) that is not an object at all is named as the whole body. */
const input = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, typeError('must be a JSON object'));

export const registerInput = input({
  email: emailSchema,
  properties: propertiesSchema.default({}),
  eventId: eventIdSchema,
});
export const updateInput = input({
  email: emailSchema,
  properties: propertiesSchema.refine((p) => Object.keys(p).length > 0, 'must name at least one property'),
  eventId: eventIdSchema,
});
export const subscriptionInput = input({ email: emailSchema, ...subscriptionChange, eventId: eventIdSchema });
export const leadOnlyInput = input({ email: emailSchema, eventId: eventIdSchema });
export const retryFailedInput = input({
  email: emailSchema,
  eventIds: z
    .array(eventIdValue, typeError('must be an array of event ids'))
    .max(MAX_RETRY_EVENT_IDS, `must name at most ${MAX_RETRY_EVENT_IDS} event ids`)
    .optional(),
});

export type RegisterInput = z.input<typeof registerInput>;
export type UpdateInput = z.input<typeof updateInput>;
export type SubscriptionInput = z.input<typeof subscriptionInput>;
export type LeadOnlyInput = z.input<typeof leadOnlyInput>;
export type RetryFailedInput = z.input<typeof retryFailedInput>;

/** A validation failure naming each bad field, e.g. `properties.firstname: must be a string, number or boolean`. */
export class LeadInputError extends Error {
  constructor(readonly issues: Array<{ field: string; message: string }>) {
    super(`Invalid lead input: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'LeadInputError';
  }
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new LeadInputError(
    parsed.error.issues.map((issue) => ({
      field:
        issue.path.length > 0
          ? issue.path.join('.')
          : issue.code === 'unrecognized_keys'
            ? issue.keys.join(', ')
            : '(body)',
      message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
    })),
  );
}
