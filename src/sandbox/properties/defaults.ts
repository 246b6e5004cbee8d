import { subscriptionPropertyName } from '../contacts/property-names.js';
import { READ_ONLY_PROPERTIES, type ResolvedOptions } from '../options.js';
import type { PropertyDefinition } from './definition.js';

type Shape = Pick<PropertyDefinition, 'label' | 'type' | 'fieldType'> & { options?: string[] };

// HubSpot's labels and types for the built-in properties the sandbox knows; any other known name reads as text.
const SHAPES: Record<string, Shape> = {
  email: { label: 'Email', type: 'string', fieldType: 'text' },
  firstname: { label: 'First Name', type: 'string', fieldType: 'text' },
  lastname: { label: 'Last Name', type: 'string', fieldType: 'text' },
  phone: { label: 'Phone Number', type: 'string', fieldType: 'phonenumber' },
  company: { label: 'Company Name', type: 'string', fieldType: 'text' },
  website: { label: 'Website URL', type: 'string', fieldType: 'text' },
  lifecyclestage: {
    label: 'Lifecycle Stage',
    type: 'enumeration',
    fieldType: 'radio',
    options: [
      'subscriber',
      'lead',
      'marketingqualifiedlead',
      'salesqualifiedlead',
      'opportunity',
      'customer',
      'evangelist',
      'other',
    ],
  },
  hs_lead_status: { label: 'Lead Status', type: 'string', fieldType: 'text' },
  jobtitle: { label: 'Job Title', type: 'string', fieldType: 'text' },
  city: { label: 'City', type: 'string', fieldType: 'text' },
  country: { label: 'Country/Region', type: 'string', fieldType: 'text' },
  hs_email_optout: { label: 'Unsubscribed from all email', type: 'bool', fieldType: 'booleancheckbox' },
  hs_object_id: { label: 'Record ID', type: 'number', fieldType: 'number' },
  createdate: { label: 'Create Date', type: 'datetime', fieldType: 'date' },
  lastmodifieddate: { label: 'Last Modified Date', type: 'datetime', fieldType: 'date' },
};

function builtIn(name: string, shape: Shape, readOnlyValue: boolean): PropertyDefinition {
  return {
    name,
    label: shape.label,
    type: shape.type,
    fieldType: shape.fieldType,
    groupName: 'contactinformation',
    description: '',
    options: (shape.options ?? []).map((value, index) => ({ label: value, value, hidden: false, displayOrder: index })),
    displayOrder: -1,
    hidden: false,
    formField: !readOnlyValue,
    hasUniqueValue: false,
    calculated: readOnlyValue,
    externalOptions: false,
    hubspotDefined: true,
    modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue },
    dataSensitivity: 'non_sensitive',
  };
}

/** The portal's own properties: the known ones, the ids and timestamps HubSpot keeps, the subscription mirrors. */
export function builtInDefinitions(options: ResolvedOptions): PropertyDefinition[] {
  const known = options.knownProperties.map((name) =>
    builtIn(name, SHAPES[name] ?? { label: name, type: 'string', fieldType: 'text' }, false),
  );
  const readOnly = READ_ONLY_PROPERTIES.map((name) =>
    builtIn(name, SHAPES[name] ?? { label: name, type: 'string', fieldType: 'text' }, true),
  );
  const mirrors = options.subscriptions.map((subscription) =>
    builtIn(
      subscriptionPropertyName(subscription.id),
      {
        label: `Opted out of email: ${subscription.name}`,
        type: 'enumeration',
        fieldType: 'select',
        options: ['true', 'false'],
      },
      true,
    ),
  );
  return [...known, ...readOnly, ...mirrors];
}
