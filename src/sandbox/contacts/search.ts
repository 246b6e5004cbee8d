import type { SearchFilter, SearchSort } from '../schemas.js';
import type { ContactRecord } from '../types.js';

// The properties a free-text `query` looks at, as in HubSpot's contact search.
const QUERY_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'company'];

// HubSpot types these properties: datetimes compare as instants (filters send epoch milliseconds), ids as numbers.
const DATETIME_PROPERTIES = new Set(['createdate', 'lastmodifieddate']);
const NUMBER_PROPERTIES = new Set(['hs_object_id']);

/** Epoch milliseconds from HubSpot's two spellings of an instant: `1767225600000` or ISO 8601. */
function instantOf(value: string): number {
  return /^-?\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
}

function compareUntyped(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  const da = Date.parse(a);
  const db = Date.parse(b);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  return a.localeCompare(b);
}

/** A typed property's value as a number, or NaN when the property is untyped or the value does not parse. */
function typedNumber(property: string, value: string): number {
  if (DATETIME_PROPERTIES.has(property)) return instantOf(value);
  if (NUMBER_PROPERTIES.has(property) && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** Orders two values of `property` as HubSpot does for its type; untyped or unparsable values fall back. */
function compare(property: string, a: string, b: string): number {
  const na = typedNumber(property, a);
  const nb = typedNumber(property, b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return compareUntyped(a, b);
}

const same = (property: string, a: string, b: string): boolean =>
  DATETIME_PROPERTIES.has(property) || NUMBER_PROPERTIES.has(property)
    ? compare(property, a, b) === 0
    : a.toLowerCase() === b.toLowerCase();

function containsToken(value: string, pattern: string): boolean {
  const escaped = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${escaped}$`);
  return value
    .toLowerCase()
    .split(/[\s,;]+/)
    .concat(value.toLowerCase())
    .some((token) => regex.test(token));
}

/** A filter HubSpot would reject before searching, or undefined when the filter is usable. */
export function filterProblem(filter: SearchFilter, known: ReadonlySet<string>): string | undefined {
  if (!known.has(filter.propertyName)) return `Property "${filter.propertyName}" does not exist`;
  const needsValue = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN', 'BETWEEN'];
  if (needsValue.includes(filter.operator) && filter.value === undefined) {
    return `Operator ${filter.operator} requires a value`;
  }
  if (filter.operator === 'BETWEEN' && filter.highValue === undefined) return 'Operator BETWEEN requires a highValue';
  if ((filter.operator === 'IN' || filter.operator === 'NOT_IN') && !filter.values?.length) {
    return `Operator ${filter.operator} requires values`;
  }
  return undefined;
}

export function matchesFilter(contact: ContactRecord, filter: SearchFilter): boolean {
  const property = filter.propertyName;
  const value = contact.properties[property] ?? null;
  const wanted = filter.value ?? '';
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return value !== null;
    case 'NOT_HAS_PROPERTY':
      return value === null;
    case 'EQ':
      return value !== null && same(property, value, wanted);
    case 'NEQ':
      return value === null || !same(property, value, wanted);
    case 'IN':
      return value !== null && (filter.values ?? []).some((candidate) => same(property, value, candidate));
    case 'NOT_IN':
      return value === null || !(filter.values ?? []).some((candidate) => same(property, value, candidate));
    case 'LT':
      return value !== null && compare(property, value, wanted) < 0;
    case 'LTE':
      return value !== null && compare(property, value, wanted) <= 0;
    case 'GT':
      return value !== null && compare(property, value, wanted) > 0;
    case 'GTE':
      return value !== null && compare(property, value, wanted) >= 0;
    case 'BETWEEN':
      return (
        value !== null && compare(property, value, wanted) >= 0 && compare(property, value, filter.highValue ?? '') <= 0
      );
    case 'CONTAINS_TOKEN':
      return value !== null && containsToken(value, wanted);
    case 'NOT_CONTAINS_TOKEN':
      return value === null || !containsToken(value, wanted);
  }
}

export function matchesQuery(contact: ContactRecord, query: string | undefined): boolean {
  if (!query?.trim()) return true;
  const needle = query.trim().toLowerCase();
  return QUERY_PROPERTIES.some((name) => contact.properties[name]?.toLowerCase().includes(needle));
}

/** Filter groups are ORed, the filters inside a group ANDed; no groups means everything. */
export function matchesGroups(contact: ContactRecord, groups: Array<{ filters: SearchFilter[] }>): boolean {
  if (groups.length === 0) return true;
  return groups.some((group) => group.filters.every((filter) => matchesFilter(contact, filter)));
}

export function sortContacts(contacts: ContactRecord[], sorts: SearchSort[]): ContactRecord[] {
  const keys = sorts.map((sort) =>
    typeof sort === 'string'
      ? { name: sort.replace(/^-/, ''), descending: sort.startsWith('-') }
      : { name: sort.propertyName, descending: sort.direction === 'DESCENDING' },
  );
  return [...contacts].sort((a, b) => {
    for (const key of keys) {
      const left = a.properties[key.name] ?? '';
      const right = b.properties[key.name] ?? '';
      const order = compare(key.name, left, right);
      if (order !== 0) return key.descending ? -order : order;
    }
    return Number(a.id) - Number(b.id);
  });
}
