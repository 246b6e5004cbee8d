import type { ContactRecord } from '../types.js';

// What HubSpot returns on reads when no `properties` are asked for.
const DEFAULT_READ_PROPERTIES = ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];

export type PresentMode = 'read' | 'write';

/**
 * The wire shape of a contact. Reads return the requested (or default) properties with null for empty ones, as
 * HubSpot does; writes return every property that has a value.
 */
export function presentContact(
  contact: ContactRecord,
  mode: PresentMode,
  requested: string[] | undefined,
  known: ReadonlySet<string>,
): Record<string, unknown> {
  const properties: Record<string, string | null> = {};
  if (mode === 'write' && !requested) {
    for (const [name, value] of Object.entries(contact.properties)) if (value !== null) properties[name] = value;
  } else {
    const names = requested ? requested.filter((name) => known.has(name)) : DEFAULT_READ_PROPERTIES;
    for (const name of names) properties[name] = contact.properties[name] ?? null;
  }
  return {
    id: contact.id,
    properties,
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
    archived: contact.archived,
    ...(contact.archivedAt ? { archivedAt: contact.archivedAt } : {}),
  };
}

/** `properties` may come as `a,b` or repeated (`properties=a&properties=b`). */
export function requestedProperties(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => String(value).split(','));
  const names = parts.map((name) => name.trim()).filter((name) => name !== '');
  return names.length ? names : undefined;
}
