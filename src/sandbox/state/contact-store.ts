import type { ContactRecord } from '../types.js';

export type PropertyValues = Record<string, string | null>;

/** Contacts keyed by id; emails are stored lower-cased because HubSpot treats them case-insensitively. */
export class ContactStore {
  private readonly byId = new Map<string, ContactRecord>();
  // Ids keep growing across resets so that a stale id from an earlier test never points at a new contact.
  private nextId = 1_051;

  all(): ContactRecord[] {
    return [...this.byId.values()];
  }

  active(): ContactRecord[] {
    return this.all().filter((contact) => !contact.archived);
  }

  byIdIncludingArchived(id: string): ContactRecord | undefined {
    return this.byId.get(id);
  }

  findById(id: string, archived = false): ContactRecord | undefined {
    const contact = this.byId.get(id);
    return contact && contact.archived === archived ? contact : undefined;
  }

  findByEmail(email: string): ContactRecord | undefined {
    const wanted = email.trim().toLowerCase();
    return this.active().find((contact) => contact.properties.email === wanted);
  }

  /** Looks a contact up the way HubSpot's `idProperty` parameter does: by id unless the property is `email`. */
  find(id: string, idProperty: string | undefined, archived = false): ContactRecord | undefined {
    if (idProperty === 'email') return archived ? undefined : this.findByEmail(id);
    return this.findById(id, archived);
  }

  create(properties: PropertyValues, now: Date): ContactRecord {
    const id = String(this.nextId++);
    const at = now.toISOString();
    const contact: ContactRecord = {
      id,
      properties: {
        ...normalise(properties),
        hs_object_id: id,
        createdate: at,
        lastmodifieddate: at,
      },
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    this.byId.set(id, contact);
    return contact;
  }

  update(contact: ContactRecord, properties: PropertyValues, now: Date): ContactRecord {
    const at = now.toISOString();
    Object.assign(contact.properties, normalise(properties), { lastmodifieddate: at });
    contact.updatedAt = at;
    return contact;
  }

  archive(contact: ContactRecord, now: Date): void {
    contact.archived = true;
    contact.archivedAt = now.toISOString();
    contact.updatedAt = contact.archivedAt;
  }

  remove(contact: ContactRecord): void {
    this.byId.delete(contact.id);
  }

  clear(): void {
    this.byId.clear();
  }
}

function normalise(properties: PropertyValues): PropertyValues {
  const out: PropertyValues = {};
  for (const [name, value] of Object.entries(properties)) {
    // An empty string clears a value in HubSpot.
    if (value === null || value === '') out[name] = null;
    else out[name] = name === 'email' ? value.trim().toLowerCase() : value;
  }
  return out;
}
