/**
 * CRM contacts. Lead writes go through batch upsert keyed by email, so a retry after a lost response
 * cannot create a duplicate; the single-record operations exist for the fallbacks in DESIGN.md
 * (404 on update → create, 409 on create → adopt).
 */
import { FailureType } from '../shared/failure-types.js';
import { mapUpsertResults, type UpsertResult } from './batch-upsert.js';
import { HubSpotError, invalidInput } from './errors.js';
import type { CallOptions, Http } from './http.js';
import type { ContactPaths } from './paths.js';
import {
  BatchReadResponseSchema,
  BatchUpsertResponseSchema,
  ContactSchema,
  SearchResponseSchema,
  type Contact,
} from './schemas.js';

export type { Contact } from './schemas.js';
export type { UpsertResult } from './batch-upsert.js';

export interface UpsertInput {
  email: string;
  properties: Record<string, string>;
}

/** A contact is addressed by HubSpot's record id or by its email (`idProperty=email`). */
export type ContactRef = { id: string } | { email: string };

export interface SearchFilter {
  propertyName: string;
  operator: 'EQ' | 'NEQ' | 'LT' | 'LTE' | 'GT' | 'GTE' | 'HAS_PROPERTY' | 'NOT_HAS_PROPERTY';
  value?: string;
}

/** `PublicObjectSearchRequest`: filter groups are ORed, the filters inside one ANDed. */
export interface SearchRequest {
  filterGroups: Array<{ filters: SearchFilter[] }>;
  /** HubSpot applies one sort rule. */
  sort?: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' };
  properties: readonly string[];
  /** Up to 200. */
  limit: number;
  after?: string;
}

export interface SearchPage {
  total: number;
  results: Contact[];
  /** The `after` of the next page, when there is one. */
  next?: string;
}

export interface CreateResult {
  contact: Contact;
  /** True when HubSpot answered 409 with an Existing ID and that contact was updated instead. */
  adopted: boolean;
}

export interface ContactsApi {
  /** 1 to 100 inputs; one result per input, in input order. A failed request (non-2xx) throws instead. */
  batchUpsertByEmail(inputs: readonly UpsertInput[], opts?: CallOptions): Promise<UpsertResult[]>;
  /** Null when HubSpot has no contact with this email (404): absence is an answer, not a failure. */
  getByEmail(email: string, properties?: readonly string[], opts?: CallOptions): Promise<Contact | null>;
  /** Throws HubSpotNotFound when the contact does not exist, so the caller can fall back to create. */
  update(ref: ContactRef, properties: Record<string, string>, opts?: CallOptions): Promise<Contact>;
  /**
   * Creates a contact. On `409 Contact already exists. Existing ID: N` it adopts N: updates contact N with
   * the same properties and returns it with `adopted: true`, which is what the lead workflow would do
   * next anyway. A 409 without an id is thrown as HubSpotConflict.
   */
  create(properties: Record<string, string>, opts?: CallOptions): Promise<CreateResult>;
  /** Uses the Search API and its separate budget; results lag writes by a few seconds. */
  searchByEmail(email: string, properties?: readonly string[], opts?: CallOptions): Promise<Contact[]>;
  /** One page of a CRM search, on the Search API's own budget. */
  search(request: SearchRequest, opts?: CallOptions): Promise<SearchPage>;
  /** Up to 100 contacts by record id; ids HubSpot does not have (deleted, never existed) are simply absent. */
  batchRead(ids: readonly string[], properties: readonly string[], opts?: CallOptions): Promise<Contact[]>;
  /** Soft delete (restorable for 90 days). */
  archive(id: string, opts?: CallOptions): Promise<void>;
  /** Permanent deletion. By email, an address HubSpot does not know is blocklisted instead. */
  gdprDelete(ref: ContactRef, opts?: CallOptions): Promise<void>;
}

export const MAX_BATCH_INPUTS = 100;
const DEFAULT_PROPERTIES = ['email', 'firstname', 'lastname', 'lifecyclestage', 'hs_lead_status'] as const;

function requireEmail(email: string): string {
  const trimmed = email.trim();
  if (!trimmed.includes('@')) throw invalidInput(`Not an email address: "${email}"`);
  return trimmed;
}

function idOf(ref: ContactRef): { id: string; idProperty?: string } {
  if ('email' in ref) return { id: requireEmail(ref.email), idProperty: 'email' };
  if (!ref.id) throw invalidInput('Contact id is empty');
  return { id: ref.id };
}

export function createContactsApi(http: Http, paths: ContactPaths): ContactsApi {
  const api: ContactsApi = {
    async batchUpsertByEmail(inputs, opts = {}) {
      if (inputs.length === 0 || inputs.length > MAX_BATCH_INPUTS) {
        throw invalidInput(`Batch upsert takes 1 to ${MAX_BATCH_INPUTS} inputs, got ${inputs.length}`);
      }
      const seen = new Set<string>();
      const body = inputs.map((input) => {
        const email = requireEmail(input.email);
        const key = email.toLowerCase();
        // HubSpot rejects the whole batch for a duplicate id, and per-input mapping would be ambiguous.
        if (seen.has(key)) throw invalidInput(`Duplicate email in batch upsert: ${email}`);
        seen.add(key);
        return { id: email, idProperty: 'email', properties: { ...input.properties, email } };
      });
      const res = await http.send({
        op: 'contacts.batchUpsert',
        method: 'POST',
        path: paths.batchUpsert,
        json: { inputs: body },
        auth: 'bearer',
        budget: 'api',
        schema: BatchUpsertResponseSchema,
        signal: opts.signal,
      });
      return mapUpsertResults(
        body.map((b) => b.id),
        res.body,
        res.status,
      );
    },

    async getByEmail(email, properties = DEFAULT_PROPERTIES, opts = {}) {
      try {
        const res = await http.send({
          op: 'contacts.getByEmail',
          method: 'GET',
          path: paths.one(requireEmail(email)),
          query: { idProperty: 'email', properties },
          auth: 'bearer',
          budget: 'api',
          schema: ContactSchema,
          signal: opts.signal,
        });
        return res.body;
      } catch (err) {
        if (err instanceof HubSpotError && err.type === FailureType.HubSpotNotFound) return null;
        throw err;
      }
    },

    async update(ref, properties, opts = {}) {
      const { id, idProperty } = idOf(ref);
      const res = await http.send({
        op: 'contacts.update',
        method: 'PATCH',
        path: paths.one(id),
        query: { idProperty },
        json: { properties },
        auth: 'bearer',
        budget: 'api',
        schema: ContactSchema,
        signal: opts.signal,
      });
      return res.body;
    },

    async create(properties, opts = {}) {
      try {
        const res = await http.send({
          op: 'contacts.create',
          method: 'POST',
          path: paths.collection,
          // `associations` is required by `SimplePublicObjectInputForCreate`, even when empty.
          json: { properties, associations: [] },
          auth: 'bearer',
          budget: 'api',
          schema: ContactSchema,
          signal: opts.signal,
        });
        return { contact: res.body, adopted: false };
      } catch (err) {
        if (err instanceof HubSpotError && err.type === FailureType.HubSpotConflict && err.existingId) {
          const contact = await api.update({ id: err.existingId }, properties, opts);
          return { contact, adopted: true };
        }
        throw err;
      }
    },

    async searchByEmail(email, properties = DEFAULT_PROPERTIES, opts = {}) {
      const res = await http.send({
        op: 'contacts.searchByEmail',
        method: 'POST',
        path: paths.search,
        // Every field is required by `PublicObjectSearchRequest`; `after: '0'` is the first page.
        json: {
          filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: requireEmail(email) }] }],
          properties: [...properties],
          sorts: [],
          limit: 10,
          after: '0',
        },
        auth: 'bearer',
        budget: 'search',
        schema: SearchResponseSchema,
        signal: opts.signal,
      });
      return res.body.results;
    },

    async search(request, opts = {}) {
      const res = await http.send({
        op: 'contacts.search',
        method: 'POST',
        path: paths.search,
        json: {
          filterGroups: request.filterGroups,
          properties: [...request.properties],
          sorts: request.sort ? [request.sort] : [],
          limit: request.limit,
          after: request.after ?? '0',
        },
        auth: 'bearer',
        budget: 'search',
        schema: SearchResponseSchema,
        signal: opts.signal,
      });
      return { total: res.body.total, results: res.body.results, next: res.body.paging?.next?.after };
    },

    async batchRead(ids, properties, opts = {}) {
      if (ids.length === 0) return [];
      if (ids.length > MAX_BATCH_INPUTS) {
        throw invalidInput(`Batch read takes 1 to ${MAX_BATCH_INPUTS} ids, got ${ids.length}`);
      }
      const res = await http.send({
        op: 'contacts.batchRead',
        method: 'POST',
        path: paths.batchRead,
        json: { inputs: ids.map((id) => ({ id })), properties: [...properties], propertiesWithHistory: [] },
        auth: 'bearer',
        budget: 'api',
        schema: BatchReadResponseSchema,
        signal: opts.signal,
      });
      return res.body.results;
    },

    async archive(id, opts = {}) {
      if (!id) throw invalidInput('Contact id is empty');
      await http.send({
        op: 'contacts.archive',
        method: 'DELETE',
        path: paths.one(id),
        auth: 'bearer',
        budget: 'api',
        signal: opts.signal,
      });
    },

    async gdprDelete(ref, opts = {}) {
      const { id, idProperty } = idOf(ref);
      await http.send({
        op: 'contacts.gdprDelete',
        method: 'POST',
        path: paths.gdprDelete,
        json: idProperty ? { objectId: id, idProperty } : { objectId: id },
        auth: 'bearer',
        budget: 'api',
        signal: opts.signal,
      });
    },
  };
  return api;
}
