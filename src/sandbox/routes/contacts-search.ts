import type { FastifyInstance } from 'fastify';
import { addRoute, READ_CONTACTS } from '../context.js';
import { presentContact } from '../contacts/present.js';
import { filterProblem, matchesGroups, matchesQuery, sortContacts } from '../contacts/search.js';
import { sendError } from '../errors.js';
import { parseBody } from '../parse-body.js';
import { CONTACT_BASES } from '../paths.js';
import { searchInput } from '../schemas.js';
import type { SandboxState } from '../state/sandbox-state.js';

// HubSpot's search pages through at most 10,000 results per query.
const MAX_RESULTS = 10_000;

export function registerContactSearchRoutes(app: FastifyInstance, state: SandboxState): void {
  const readable = state.properties.readable();
  for (const base of CONTACT_BASES) {
    addRoute(
      app,
      'POST',
      `${base}/search`,
      { name: 'contacts.search', kind: 'search', scopes: READ_CONTACTS },
      async (request, reply) => {
        const body = parseBody(searchInput, request, reply);
        if (!body) return reply;
        const groups = body.filterGroups ?? [];
        const problems = groups.flatMap((group) =>
          group.filters.flatMap((filter) => {
            const problem = filterProblem(filter, readable);
            return problem ? [{ message: problem, context: { propertyName: [filter.propertyName] } }] : [];
          }),
        );
        if (problems.length) {
          return sendError(request, reply, 400, 'VALIDATION_ERROR', 'There was a problem with the request.', {
            errors: problems,
          });
        }
        const limit = body.limit ?? 10;
        const after = Number(body.after ?? 0) || 0;
        if (after + limit > MAX_RESULTS) {
          return sendError(request, reply, 400, 'VALIDATION_ERROR', `Search results are limited to ${MAX_RESULTS}.`);
        }
        const matches = sortContacts(
          state.contacts
            .active()
            .filter((contact) => matchesGroups(contact, groups) && matchesQuery(contact, body.query)),
          body.sorts ?? [],
        );
        const requested = body.properties?.length ? body.properties : undefined;
        const next = after + limit;
        return reply.send({
          total: matches.length,
          results: matches.slice(after, next).map((contact) => presentContact(contact, 'read', requested, readable)),
          ...(next < matches.length ? { paging: { next: { after: String(next) } } } : {}),
        });
      },
    );
  }
}
