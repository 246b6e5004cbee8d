import { z } from 'zod';
import { LEGAL_BASES } from '../shared/lead-types.js';

// HubSpot's schemas type property values as strings but it accepts numbers, booleans and null on input.
const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const properties = z.record(z.string(), propertyValue);
const idInput = z.object({ id: z.union([z.string(), z.number()]).transform(String) });

export const createInput = z.object({ properties, associations: z.array(z.unknown()).optional() });
export const updateInput = z.object({ properties });

export const batchCreateInput = z.object({
  inputs: z.array(
    z.object({ properties, associations: z.array(z.unknown()).optional(), objectWriteTraceId: z.string().optional() }),
  ),
});

const upsertEntry = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  idProperty: z.string().optional(),
  properties,
  objectWriteTraceId: z.string().optional(),
});

export const upsertInput = z.object({ inputs: z.array(upsertEntry) });

// Batch update inputs have the same shape as upsert inputs.
export const batchUpdateInput = upsertInput;

export const batchReadInput = z.object({
  inputs: z.array(idInput),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});

export const batchArchiveInput = z.object({ inputs: z.array(idInput) });

const filter = z.object({
  propertyName: z.string(),
  operator: z.enum([
    'BETWEEN',
    'CONTAINS_TOKEN',
    'EQ',
    'GT',
    'GTE',
    'HAS_PROPERTY',
    'IN',
    'LT',
    'LTE',
    'NEQ',
    'NOT_CONTAINS_TOKEN',
    'NOT_HAS_PROPERTY',
    'NOT_IN',
  ]),
  value: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
  highValue: z.union([z.string(), z.number()]).transform(String).optional(),
  values: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
});
export type SearchFilter = z.infer<typeof filter>;

const sort = z.union([
  z.string(),
  z.object({ propertyName: z.string(), direction: z.enum(['ASCENDING', 'DESCENDING']).optional() }),
]);
export type SearchSort = z.infer<typeof sort>;

export const searchInput = z.object({
  filterGroups: z
    .array(z.object({ filters: z.array(filter) }))
    .max(6)
    .optional(),
  properties: z.array(z.string()).optional(),
  sorts: z.array(sort).optional(),
  limit: z.number().int().min(0).max(200).optional(),
  after: z.union([z.string(), z.number()]).transform(String).optional(),
  query: z.string().max(3000).optional(),
});

export const gdprDeleteInput = z.object({
  objectId: z.union([z.string(), z.number()]).transform(String),
  idProperty: z.string().optional(),
});

export const v3SubscriptionInput = z.object({
  emailAddress: z.string(),
  subscriptionId: z.union([z.string(), z.number()]).transform(String),
  legalBasis: z.enum(LEGAL_BASES).optional(),
  legalBasisExplanation: z.string().optional(),
});

export const statusInput = z.object({
  channel: z.literal('EMAIL'),
  statusState: z.enum(['SUBSCRIBED', 'UNSUBSCRIBED', 'NOT_SPECIFIED']),
  subscriptionId: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  legalBasis: z.enum(LEGAL_BASES).optional(),
  legalBasisExplanation: z.string().optional(),
});

/** Turns zod's issues into the one-line detail HubSpot puts after "Invalid input JSON". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
