import type { Contact, SearchFilter } from '../hubspot/contacts.js';
import { withPortalAuth } from '../portals/portal-auth.js';
import type { PortalSession } from '../portals/portal-session.js';
import type { PollCursor } from '../shared/change-types.js';

/** HubSpot's largest search page. */
const MAX_PAGE = 200;
const MODIFIED = 'lastmodifieddate';
const ID = 'hs_object_id';

export interface PollPage {
  contacts: Contact[];
  cursor: PollCursor;
  /** The call budget ran out before the search did. */
  more: boolean;
  searchCalls: number;
}

export const modifiedAt = (contact: Contact): number => Date.parse(contact.properties[MODIFIED] ?? '');

/**
 * The contacts modified since the cursor, oldest first, as a keyset walk: pages move forward by `lastmodifieddate`,
 * and the contacts sharing a page's last timestamp are read apart, by ascending record id, so none is skipped
 * however many share it (HubSpot applies one sort rule per search, so both orders cannot be asked at once).
 * Contacts modified in the last `settleMs` wait for a later poll: search lags HubSpot's writes.
 */
export async function pollContacts(
  portal: PortalSession,
  options: {
    cursor?: PollCursor;
    settleMs: number;
    properties: readonly string[];
    maxCalls: number;
    now: number;
    pageSize?: number;
  },
): Promise<PollPage> {
  const PAGE = options.pageSize ?? MAX_PAGE;
  const until = options.now - options.settleMs;
  // The first poll starts at "now": what changed before the service knew the portal is not news.
  if (!options.cursor) return { contacts: [], cursor: { since: until, drained: true }, more: false, searchCalls: 0 };
  const properties = [...new Set([...options.properties, 'email', MODIFIED, ID])];
  let cursor: PollCursor = { ...options.cursor };
  const contacts: Contact[] = [];
  let calls = 0;
  const search = async (filters: SearchFilter[], sortBy: string) => {
    calls += 1;
    const page = await withPortalAuth(portal, () =>
      portal.contacts.search({
        filterGroups: [{ filters }],
        sort: { propertyName: sortBy, direction: 'ASCENDING' },
        properties,
        limit: PAGE,
      }),
    );
    return page.results.filter((c) => !Number.isNaN(modifiedAt(c)));
  };

  /** The contacts at exactly `cursor.since` not seen yet, by ascending id. Returns false if the budget ran out. */
  const drainTies = async (): Promise<boolean> => {
    for (;;) {
      if (calls >= options.maxCalls) return false;
      const after = cursor.afterId;
      const page = await search(
        [
          { propertyName: MODIFIED, operator: 'EQ', value: String(cursor.since) },
          ...(after !== undefined ? [{ propertyName: ID, operator: 'GT' as const, value: after }] : []),
        ],
        ID,
      );
      contacts.push(...page);
      if (page.length > 0) cursor = { since: cursor.since, afterId: page.at(-1)!.id };
      if (page.length < PAGE) return true;
    }
  };

  // A quiet portal costs one search per poll: the ties at `since` need reading apart only after a full page.
  if (!cursor.drained && !(await drainTies())) return { contacts, cursor, more: true, searchCalls: calls };
  cursor = { since: cursor.since, afterId: cursor.afterId };
  for (;;) {
    if (calls >= options.maxCalls) return { contacts, cursor, more: true, searchCalls: calls };
    const page = await search(
      [
        { propertyName: MODIFIED, operator: 'GT', value: String(cursor.since) },
        { propertyName: MODIFIED, operator: 'LTE', value: String(until) },
      ],
      MODIFIED,
    );
    if (page.length === 0) return { contacts, cursor: { ...cursor, drained: true }, more: false, searchCalls: calls };
    const last = Math.max(...page.map(modifiedAt));
    if (page.length < PAGE) {
      contacts.push(...page);
      const atLast = page.filter((c) => modifiedAt(c) === last).map((c) => Number(c.id));
      return {
        contacts,
        cursor: { since: last, afterId: String(Math.max(...atLast)), drained: true },
        more: false,
        searchCalls: calls,
      };
    }
    // A full page may stop in the middle of its last timestamp: those contacts are read apart, by id.
    contacts.push(...page.filter((c) => modifiedAt(c) < last));
    cursor = { since: last };
    if (!(await drainTies())) return { contacts, cursor, more: true, searchCalls: calls };
  }
}
