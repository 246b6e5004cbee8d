import { READ_ONLY_PROPERTIES } from '../options.js';
import type { ChangeSource, ContactRecord } from '../types.js';
import type { ContactChangeListener } from './contact-changes.js';

export type PropertyValues = Record<string, string | null>;

/** What a state file keeps of the store: every contact, the merge aliases and the next id to give out. */
export interface ContactSnapshot {
  nextId: number;
  records: ContactRecord[];
  mergedInto: Record<string, string>;
}

// A merge keeps the primary's own identity and email; only values the primary lacks move over.
const KEPT_ON_MERGE = new Set([...READ_ONLY_PROPERTIES, 'email']);
// Enough hops for any chain of merges a test builds, and a stop should aliases ever form a loop.
const MAX_ALIAS_HOPS = 100;

/**
 * Contacts keyed by id; emails are stored lower-cased because HubSpot treats them case-insensitively. Every change
 * is reported to the listener with its source, so that webhooks see exactly what the store did.
 */
export class ContactStore {
  private readonly byId = new Map<string, ContactRecord>();
  /** Merged-away id → the id it was merged into: HubSpot keeps answering for the old id. */
  private readonly mergedInto = new Map<string, string>();
  // Ids keep growing across resets so that a stale id from an earlier test never points at a new contact.
  private nextId = 1_051;

  constructor(private readonly onChange: ContactChangeListener) {}

  all(): ContactRecord[] {
    return [...this.byId.values()];
  }

  active(): ContactRecord[] {
    return this.all().filter((contact) => !contact.archived);
  }

  byIdIncludingArchived(id: string): ContactRecord | undefined {
    return this.byId.get(this.resolve(id));
  }

  findById(id: string, archived = false): ContactRecord | undefined {
    const contact = this.byIdIncludingArchived(id);
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

  create(properties: PropertyValues, now: Date, source: ChangeSource): ContactRecord {
    const id = String(this.nextId++);
    const at = now.toISOString();
    const values = normalise(properties);
    const contact: ContactRecord = {
      id,
      properties: { ...values, hs_object_id: id, createdate: at, lastmodifieddate: at },
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    this.byId.set(id, contact);
    this.onChange({ kind: 'creation', contactId: id, properties: values, at: now, source });
    return contact;
  }

  /** Applies the values; `lastmodifieddate` moves on every write, but only values that differ count as changes. */
  update(contact: ContactRecord, properties: PropertyValues, now: Date, source: ChangeSource): ContactRecord {
    const at = now.toISOString();
    const values = normalise(properties);
    const changed = Object.fromEntries(
      Object.entries(values).filter(([name, value]) => (contact.properties[name] ?? null) !== value),
    );
    Object.assign(contact.properties, values, { lastmodifieddate: at });
    contact.updatedAt = at;
    if (Object.keys(changed).length > 0) {
      this.onChange({ kind: 'propertyChange', contactId: contact.id, properties: changed, at: now, source });
    }
    return contact;
  }

  archive(contact: ContactRecord, now: Date, source: ChangeSource): void {
    contact.archived = true;
    contact.archivedAt = now.toISOString();
    contact.updatedAt = contact.archivedAt;
    this.onChange({ kind: 'deletion', contactId: contact.id, privacy: false, at: now, source });
  }

  /** A GDPR delete: the contact is gone for good, archived or not. */
  erase(contact: ContactRecord, now: Date, source: ChangeSource): void {
    this.byId.delete(contact.id);
    this.onChange({ kind: 'deletion', contactId: contact.id, privacy: true, at: now, source });
  }

  /** Folds `merged` into `primary`: the primary gains the values it lacks, and the merged id answers as the primary. */
  merge(primary: ContactRecord, merged: ContactRecord, now: Date, source: ChangeSource): ContactRecord {
    const moved = Object.fromEntries(
      Object.entries(merged.properties).filter(
        ([name, value]) => value !== null && !KEPT_ON_MERGE.has(name) && (primary.properties[name] ?? null) === null,
      ),
    );
    this.byId.delete(merged.id);
    this.mergedInto.set(merged.id, primary.id);
    this.update(primary, moved, now, source);
    this.onChange({
      kind: 'merge',
      primaryId: primary.id,
      mergedId: merged.id,
      propertiesMoved: Object.keys(moved).length,
      at: now,
      source,
    });
    return primary;
  }

  clear(): void {
    this.byId.clear();
    this.mergedInto.clear();
  }

  snapshot(): ContactSnapshot {
    return { nextId: this.nextId, records: this.all(), mergedInto: Object.fromEntries(this.mergedInto) };
  }

  /** Puts a snapshot back as it was, without reporting changes: nothing new happened to the contacts. */
  restore(snapshot: ContactSnapshot): void {
    this.clear();
    for (const record of snapshot.records) this.byId.set(record.id, record);
    for (const [from, to] of Object.entries(snapshot.mergedInto)) this.mergedInto.set(from, to);
    // Never hand out an id that a kept contact or alias already has, whatever the file says.
    this.nextId = [...this.byId.keys(), ...this.mergedInto.keys()]
      .map(Number)
      .filter(Number.isFinite)
      .reduce((next, id) => Math.max(next, id + 1), snapshot.nextId);
  }

  private resolve(id: string): string {
    let current = id;
    for (let hop = 0; hop < MAX_ALIAS_HOPS && !this.byId.has(current); hop += 1) {
      const next = this.mergedInto.get(current);
      if (next === undefined) break;
      current = next;
    }
    return current;
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
