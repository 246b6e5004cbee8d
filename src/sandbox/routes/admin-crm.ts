import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { addRoute, type RouteMeta } from '../context.js';
import { gdprDeleteContact } from '../contacts/gdpr.js';
import { presentContact } from '../contacts/present.js';
import { toPropertyValues } from '../contacts/properties.js';
import { ContactWriter, sendRejection } from '../contacts/writes.js';
import { notFound, sendError } from '../errors.js';
import { parseBody } from '../parse-body.js';
import { ADMIN_BASE } from '../paths.js';
import { mirrorSubscriptions } from '../preferences/mirror.js';
import { updateInput } from '../schemas.js';
import type { SandboxState } from '../state/sandbox-state.js';
import type { ContactRecord } from '../types.js';

const contactId = z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(String);
const unsubscribeInput = z
  .object({ subscriptionId: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).optional() })
  .strict();
const mergeInput = z.object({ primaryId: contactId, mergedId: contactId }).strict();

// How HubSpot labels a status that the contact changed through an email's unsubscribe link.
const FOOTER_SOURCE = 'Unsubscribe Link';

const admin = (name: string): RouteMeta => ({ name: `admin.crm.${name}`, kind: 'admin' });
const CONTACTS = `${ADMIN_BASE}/crm/contacts`;

/**
 * Changes made "inside HubSpot": a user's edits in the CRM (changeSource CRM_UI) and a contact's footer unsubscribe
 * (EMAIL). They go through the same writer and store as the API, so timestamps, subscriptions and webhooks agree.
 */
export function registerAdminCrmRoutes(app: FastifyInstance, state: SandboxState): void {
  const writer = new ContactWriter(state);
  const readable = state.properties.readable();
  const present = (contact: ContactRecord) => presentContact(contact, 'write', undefined, readable);
  const activeContact = (request: FastifyRequest, reply: FastifyReply): ContactRecord | undefined => {
    const contact = state.contacts.findById((request.params as { contactId: string }).contactId);
    if (!contact) void notFound(request, reply);
    return contact;
  };

  addRoute(app, 'POST', CONTACTS, admin('createContact'), async (request, reply) => {
    const body = parseBody(updateInput, request, reply);
    if (!body) return reply;
    const result = writer.create(toPropertyValues(body.properties), new Date(), 'CRM_UI');
    if (!result.ok) return sendRejection(request, reply, result.rejection);
    return reply.code(201).send(present(result.contact));
  });

  addRoute(app, 'POST', `${CONTACTS}/merge`, admin('mergeContacts'), async (request, reply) => {
    const body = parseBody(mergeInput, request, reply);
    if (!body) return reply;
    const primary = state.contacts.findById(body.primaryId);
    const merged = state.contacts.findById(body.mergedId);
    if (!primary || !merged) return notFound(request, reply);
    if (primary.id === merged.id) {
      return sendError(request, reply, 400, 'VALIDATION_ERROR', 'A contact cannot be merged into itself');
    }
    return reply.send(present(state.contacts.merge(primary, merged, new Date(), 'CRM_UI')));
  });

  addRoute(app, 'PATCH', `${CONTACTS}/:contactId`, admin('updateContact'), async (request, reply) => {
    const body = parseBody(updateInput, request, reply);
    if (!body) return reply;
    const contact = activeContact(request, reply);
    if (!contact) return reply;
    const result = writer.update(contact, toPropertyValues(body.properties), new Date(), 'CRM_UI');
    if (!result.ok) return sendRejection(request, reply, result.rejection);
    return reply.send(present(result.contact));
  });

  addRoute(app, 'DELETE', `${CONTACTS}/:contactId`, admin('archiveContact'), async (request, reply) => {
    const contact = activeContact(request, reply);
    if (!contact) return reply;
    state.contacts.archive(contact, new Date(), 'CRM_UI');
    return reply.code(204).send();
  });

  addRoute(app, 'POST', `${CONTACTS}/:contactId/gdpr-delete`, admin('gdprDeleteContact'), async (request, reply) => {
    const contact = state.contacts.byIdIncludingArchived((request.params as { contactId: string }).contactId);
    if (!contact) return notFound(request, reply);
    gdprDeleteContact(state, contact, new Date(), 'CRM_UI');
    return reply.code(204).send();
  });

  addRoute(app, 'POST', `${CONTACTS}/:contactId/unsubscribe`, admin('footerUnsubscribe'), async (request, reply) => {
    const body = parseBody(unsubscribeInput, request, reply);
    if (!body) return reply;
    const contact = activeContact(request, reply);
    if (!contact) return reply;
    const email = contact.properties.email;
    if (!email) return sendError(request, reply, 400, 'VALIDATION_ERROR', `Contact ${contact.id} has no email`);
    const store = state.subscriptions;
    const now = new Date();
    const optedOut = store.unsubscribedFromAllAt(email) !== undefined;
    if (body.subscriptionId === undefined) {
      if (!optedOut) store.unsubscribeAll(email, { source: FOOTER_SOURCE }, now);
    } else {
      const definition = store.definition(body.subscriptionId);
      if (!definition) {
        return sendError(request, reply, 400, 'VALIDATION_ERROR', `Subscription ${body.subscriptionId} does not exist`);
      }
      if (!optedOut && store.stateOf(email, definition.id) !== 'UNSUBSCRIBED') {
        store.set(email, definition.id, 'UNSUBSCRIBED', { source: FOOTER_SOURCE }, now);
      }
    }
    mirrorSubscriptions(state, email, now, 'EMAIL');
    return reply.send({ email, ...store.view(email) });
  });
}
