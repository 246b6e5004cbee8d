import { z } from 'zod';
import {
  DATA_SENSITIVITIES,
  FIELD_TYPES,
  NUMBER_DISPLAY_HINTS,
  PROPERTY_TYPES,
  type PropertyDefinition,
} from './definition.js';

const optionInput = z.object({
  label: z.string(),
  value: z.string(),
  displayOrder: z.number().int(),
  hidden: z.boolean(),
  description: z.string().optional(),
});

// HubSpot's internal names: a lower-case letter, then lower-case letters, digits and underscores.
const INTERNAL_NAME = /^[a-z][a-z0-9_]*$/;

/** The specs' `PropertyCreate`: name, label, type, fieldType and groupName are required. */
export const propertyCreateInput = z
  .object({
    name: z.string().regex(INTERNAL_NAME, 'must start with a lower-case letter and hold only a-z, 0-9 and _'),
    label: z.string().min(1),
    type: z.enum(PROPERTY_TYPES),
    fieldType: z.enum(FIELD_TYPES),
    groupName: z.string().min(1),
    description: z.string().optional(),
    options: z.array(optionInput).optional(),
    displayOrder: z.number().int().optional(),
    hidden: z.boolean().optional(),
    formField: z.boolean().optional(),
    // Unique values would also make the property usable as an upsert idProperty, which the sandbox does not do.
    hasUniqueValue: z
      .boolean()
      .refine((unique) => !unique, 'unique-value properties are not supported by the sandbox')
      .optional(),
    externalOptions: z.boolean().optional(),
    dataSensitivity: z.enum(DATA_SENSITIVITIES).optional(),
    numberDisplayHint: z.enum(NUMBER_DISPLAY_HINTS).optional(),
    showCurrencySymbol: z.boolean().optional(),
    currencyPropertyName: z.string().optional(),
    referencedObjectType: z.string().optional(),
    calculationFormula: z.string().optional(),
  })
  .refine((input) => input.type !== 'enumeration' || input.options !== undefined, {
    message: 'is required for enumeration properties',
    path: ['options'],
  });

export type PropertyCreateInput = z.output<typeof propertyCreateInput>;

/** The property a valid create makes: a custom one, writable, with HubSpot's defaults for what was left out. */
export function customDefinition(input: PropertyCreateInput, now: Date): PropertyDefinition {
  const at = now.toISOString();
  const { options, description, displayOrder, hidden, formField, externalOptions, dataSensitivity, ...rest } = input;
  return {
    ...rest,
    description: description ?? '',
    options: (options ?? []).map((option) => ({ ...option })),
    displayOrder: displayOrder ?? -1,
    hidden: hidden ?? false,
    formField: formField ?? false,
    hasUniqueValue: false,
    calculated: false,
    externalOptions: externalOptions ?? false,
    hubspotDefined: false,
    createdAt: at,
    updatedAt: at,
    modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
    dataSensitivity: dataSensitivity ?? 'non_sensitive',
  };
}
