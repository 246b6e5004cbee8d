import type { FastifyInstance } from 'fastify';
import { addRoute, READ_CONTACTS, WRITE_CONTACTS } from '../context.js';
import { isValidEmail, toPropertyValues, invalidEmailProblem, propertyErrorBody } from '../contacts/properties.js';
import { presentContact, requestedProperties } from '../contacts/present.js';
import { gdprDeleteContact, gdprDeleteEmail } from '../contacts/gdpr.js';
import { ContactWriter, sendRejection } from '../contacts/writes.js';
import { notFound } from '../errors.js';
import { parseBody, queryOf, queryString } from '../parse-body.js';
import { CONTACT_BASES } from '../paths.js';
import { createInput, gdprDeleteInput, updateInput } from '../schemas.js';
import type { SandboxState } from '../state/sandbox-state.js';
import type { ContactRecord } from '../types.js';

const byNumericId = (a: ContactRecord, b: ContactRecord): number => Number(a.id) - Number(b.id);

export function registerContactBasicRoutes(app: FastifyInstance, state: SandboxState): void {
  const writer = new ContactWriter(state);
  const readable = state.properties.readable();

  for (const base of CONTACT_BASES) {
    addRoute(
      app,
      'GET',
      base,
      { name: 'contacts.list', kind: 'api', scopes: READ_CONTACTS },
      async (request, reply) => {
        const limit = Math.min(100, Math.max(1, Number(queryString(request, 'limit') ?? 10) || 10));
        const after = Math.max(0, Number(queryString(request, 'after') ?? 0) || 0);
        const archived = queryString(request, 'archived') === 'true';
        const requested = requestedProperties(queryOf(request).properties);
        const contacts = state.contacts
          .all()
          .filter((contact) => contact.archived === archived)
          .sort(byNumericId);
        const next = after + limit;
        return reply.send({
          results: contacts.slice(after, next).map((contact) => presentContact(contact, 'read', requested, readable)),
          ...(next < contacts.length
            ? { paging: { next: { after: String(next), link: `${base}?after=${next}` } } }
            : {}),
        });
      },
    );

    addRoute(
      app,
      'POST',
      base,
      { name: 'contacts.create', kind: 'api', write: true, scopes: WRITE_CONTACTS },
      async (request, reply) => {
        const body = parseBody(createInput, request, reply);
        if (!body) return reply;
        const result = writer.create(toPropertyValues(body.properties), new Date(), 'INTEGRATION');
        if (!result.ok) return sendRejection(request, reply, result.rejection);
        return reply.code(201).send(presentContact(result.contact, 'write', undefined, readable));
      },
    );

    addRoute(
      app,
      'GET',
      `${base}/:contactId`,
      { name: 'contacts.get', kind: 'api', scopes: READ_CONTACTS },
      async (request, reply) => {
        const { contactId } = request.params as { contactId: string };
        const archived = queryString(request, 'archived') === 'true';
        const contact = state.contacts.find(contactId, queryString(request, 'idProperty'), archived);
        if (!contact) return notFound(request, reply);
        return reply.send(presentContact(contact, 'read', requestedProperties(queryOf(request).properties), readable));
      },
    );

    addRoute(
      app,
      'PATCH',
      `${base}/:contactId`,
      { name: 'contacts.update', kind: 'api', write: true, scopes: WRITE_CONTACTS },
      async (request, reply) => {
        const { contactId } = request.params as { contactId: string };
        const body = parseBody(updateInput, request, reply);
        if (!body) return reply;
        const contact = state.contacts.find(contactId, queryString(request, 'idProperty'));
        if (!contact) return notFound(request, reply);
        const result = writer.update(contact, toPropertyValues(body.properties), new Date(), 'INTEGRATION');
        if (!result.ok) return sendRejection(request, reply, result.rejection);
        return reply.send(presentContact(result.contact, 'write', undefined, readable));
      },
    );

    addRoute(
      app,
      'DELETE',
      `${base}/:contactId`,
      { name: 'contacts.archive', kind: 'api', write: true, scopes: WRITE_CONTACTS },
      async (request, reply) => {
        const { contactId } = request.params as { contactId: string };
        const contact = state.contacts.findById(contactId);
        // HubSpot answers 204 for ids that do not exist, too.
        if (contact) state.contacts.archive(contact, new Date(), 'INTEGRATION');
        return reply.code(204).send();
      },
    );

    addRoute(
      app,
      'POST',
      `${base}/gdpr-delete`,
      { name: 'contacts.gdprDelete', kind: 'api', write: true, scopes: WRITE_CONTACTS },
      async (request, reply) => {
        const body = parseBody(gdprDeleteInput, request, reply);
        if (!body) return reply;
        const now = new Date();
        if (body.idProperty === 'email') {
          const email = body.objectId.trim().toLowerCase();
          if (!isValidEmail(email)) {
            return reply.code(400).send(propertyErrorBody(request.sandbox.correlationId, [invalidEmailProblem(email)]));
          }
          gdprDeleteEmail(state, email, now, 'INTEGRATION');
          return reply.code(204).send();
        }
        const contact = state.contacts.byIdIncludingArchived(body.objectId);
        if (!contact) return notFound(request, reply);
        gdprDeleteContact(state, contact, now, 'INTEGRATION');
        return reply.code(204).send();
      },
    );
  }
}
