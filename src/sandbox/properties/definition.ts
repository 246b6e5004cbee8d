import { z } from 'zod';

// The values HubSpot's PropertyCreate accepts (2026-03; v3 lists a subset of the same words).
export const PROPERTY_TYPES = ['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string'] as const;
export const FIELD_TYPES = [
  'booleancheckbox',
  'calculation_equation',
  'checkbox',
  'date',
  'file',
  'html',
  'number',
  'phonenumber',
  'radio',
  'select',
  'text',
  'textarea',
] as const;
export const DATA_SENSITIVITIES = ['highly_sensitive', 'non_sensitive', 'sensitive'] as const;
export const NUMBER_DISPLAY_HINTS = [
  'currency',
  'duration',
  'formatted',
  'percentage',
  'probability',
  'unformatted',
] as const;

const option = z.object({
  label: z.string(),
  value: z.string(),
  hidden: z.boolean(),
  displayOrder: z.number().int().optional(),
  description: z.string().optional(),
});

/** A contact property as the Properties API answers it (the specs' `Property`), and as the state file keeps it. */
export const propertyDefinition = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  fieldType: z.string(),
  groupName: z.string(),
  description: z.string(),
  options: z.array(option),
  displayOrder: z.number().int(),
  hidden: z.boolean(),
  formField: z.boolean(),
  hasUniqueValue: z.boolean(),
  calculated: z.boolean(),
  externalOptions: z.boolean(),
  hubspotDefined: z.boolean().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  modificationMetadata: z.object({
    archivable: z.boolean(),
    readOnlyDefinition: z.boolean(),
    readOnlyValue: z.boolean(),
  }),
  dataSensitivity: z.enum(DATA_SENSITIVITIES),
  numberDisplayHint: z.enum(NUMBER_DISPLAY_HINTS).optional(),
  showCurrencySymbol: z.boolean().optional(),
  currencyPropertyName: z.string().optional(),
  referencedObjectType: z.string().optional(),
  calculationFormula: z.string().optional(),
});

export type PropertyDefinition = z.infer<typeof propertyDefinition>;
