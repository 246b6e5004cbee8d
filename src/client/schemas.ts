import { z } from 'zod';
import { LEGAL_BASES } from '../shared/lead-types.js';
import { normalizeEmail } from '../shared/ids.js';
import { optOutOf } from '../shared/opt-out-properties.js';

export const MAX_PROPERTIES = 200;
export const MAX_PROPERTY_VALUE_LENGTH = 65_536;

// HubSpot's internal property names: lower-case letters, digits and underscores, starting with a letter.
const propertyName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,99}$/, 'must be a HubSpot internal property name (lower-case letters, digits, _)');

export const emailSchema = z
  .string({ error: 'is required' })
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
  )
  .refine((p) => Object.keys(p).length <= MAX_PROPERTIES, `must have at most ${MAX_PROPERTIES} properties`)
  .refine((p) => !('email' in p), 'must not contain email: the lead is identified by its email address')
  .refine(
    (p) => !Object.keys(p).some((name) => optOutOf(name) !== undefined),
    'must not contain hs_email_optout properties: HubSpot derives them; use unsubscribe or resubscribe (with a legalBasis)',
  );

export const eventIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of letters, digits, . _ : -')
  .optional();

const subscriptionChange = {
  subscriptionId: z
    .union([z.string().regex(/^\d{1,19}$/), z.number().int().nonnegative()], {
      error: 'must be a numeric subscription id',
    })
    .transform(String)
    .optional(),
  legalBasis: z.enum(LEGAL_BASES, { error: `must be one of ${LEGAL_BASES.join(', ')}` }).optional(),
  legalBasisExplanation: z.string().max(1_000, 'must be at most 1000 characters').optional(),
};

export const registerInput = z
  .object({ email: emailSchema, properties: propertiesSchema.default({}), eventId: eventIdSchema })
  .strict();
export const updateInput = z
  .object({
    email: emailSchema,
    properties: propertiesSchema.refine((p) => Object.keys(p).length > 0, 'must name at least one property'),
    eventId: eventIdSchema,
  })
  .strict();
export const subscriptionInput = z
  .object({ email: emailSchema, ...subscriptionChange, eventId: eventIdSchema })
  .strict();
export const leadOnlyInput = z.object({ email: emailSchema, eventId: eventIdSchema }).strict();
export const retryFailedInput = z
  .object({ email: emailSchema, eventIds: z.array(z.string().min(1)).max(1_000).optional() })
  .strict();

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
