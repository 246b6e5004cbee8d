import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addRoute, READ_PREFERENCES, WRITE_PREFERENCES } from '../context.js';
import { isValidEmail } from '../contacts/properties.js';
import { sendError } from '../errors.js';
import { parseBody, queryString } from '../parse-body.js';
import { PREFERENCES_2026_03 } from '../paths.js';
import { mirrorSubscriptions } from '../preferences/mirror.js';
import {
  actionResponse,
  definitionOf,
  publicStatusOf,
  SOURCE,
  type SetStatusReason,
} from '../preferences/presenters.js';
import { statusInput } from '../schemas.js';
import type { SandboxState } from '../state/sandbox-state.js';

/** The subscriber (lower-cased email) of a request, or undefined after answering 400. */
function subscriberOf(request: FastifyRequest, reply: FastifyReply, needsChannel: boolean): string | undefined {
  const email = (request.params as { subscriberIdString: string }).subscriberIdString.trim().toLowerCase();
  if (needsChannel && queryString(request, 'channel') !== 'EMAIL') {
    void sendError(
      request,
      reply,
      400,
      'VALIDATION_ERROR',
      'The query parameter "channel" is required and must be EMAIL',
    );
    return undefined;
  }
  if (!isValidEmail(email)) {
    void sendError(request, reply, 400, 'VALIDATION_ERROR', `Invalid email address: ${email}`);
    return undefined;
  }
  return email;
}

export function registerCommPrefs202603Routes(app: FastifyInstance, state: SandboxState): void {
  const createdAt = new Date().toISOString();
  const store = state.subscriptions;
  const statuses = `${PREFERENCES_2026_03}/statuses/:subscriberIdString`;

  addRoute(
    app,
    'GET',
    `${PREFERENCES_2026_03}/definitions`,
    { name: 'commPrefs.definitions', kind: 'api', scopes: READ_PREFERENCES },
    async (_request, reply) =>
      reply.send(
        actionResponse(
          store.definitions.map((definition) => definitionOf(definition, createdAt)),
          createdAt,
        ),
      ),
  );

  addRoute(
    app,
    'GET',
    statuses,
    { name: 'commPrefs.statuses', kind: 'api', scopes: READ_PREFERENCES },
    async (request, reply) => {
      const requestedAt = new Date().toISOString();
      const email = subscriberOf(request, reply, true);
      if (!email) return reply;
      const results = store.definitions.map((definition) => publicStatusOf(store, email, definition, createdAt));
      return reply.send(actionResponse(results, requestedAt));
    },
  );

  addRoute(
    app,
    'POST',
    statuses,
    { name: 'commPrefs.setStatus', kind: 'api', write: true, scopes: WRITE_PREFERENCES },
    async (request, reply) => {
      const requestedAt = new Date().toISOString();
      const email = subscriberOf(request, reply, false);
      if (!email) return reply;
      const body = parseBody(statusInput, request, reply);
      if (!body) return reply;
      const definition = store.definition(body.subscriptionId);
      if (!definition) {
        return sendError(request, reply, 400, 'VALIDATION_ERROR', `Subscription ${body.subscriptionId} does not exist`);
      }
      const before = store.stateOf(email, definition.id);
      const wasOptedOut = store.unsubscribedFromAllAt(email) !== undefined;
      let reason: SetStatusReason = 'REQUESTED_CHANGE_OCCURRED';
      if (before === body.statusState && !(wasOptedOut && body.statusState === 'SUBSCRIBED'))
        reason = 'NO_STATUS_CHANGE';
      else if (body.statusState === 'SUBSCRIBED' && (before === 'UNSUBSCRIBED' || wasOptedOut))
        reason = 'RESUBSCRIBE_OCCURRED';
      if (reason !== 'NO_STATUS_CHANGE') {
        const now = new Date();
        store.set(
          email,
          definition.id,
          body.statusState,
          {
            source: SOURCE,
            ...(body.legalBasis ? { legalBasis: body.legalBasis } : {}),
            ...(body.legalBasisExplanation ? { legalBasisExplanation: body.legalBasisExplanation } : {}),
          },
          now,
        );
        mirrorSubscriptions(state, email, now, 'INTEGRATION');
      }
      return reply.send(actionResponse([publicStatusOf(store, email, definition, createdAt, reason)], requestedAt));
    },
  );

  addRoute(
    app,
    'GET',
    `${statuses}/unsubscribe-all`,
    { name: 'commPrefs.unsubscribeAllStatus', kind: 'api', scopes: READ_PREFERENCES },
    async (request, reply) => {
      const requestedAt = new Date().toISOString();
      const email = subscriberOf(request, reply, true);
      if (!email) return reply;
      const at = store.unsubscribedFromAllAt(email);
      const results = at
        ? [
            {
              subscriberIdString: email,
              channel: 'EMAIL',
              status: 'UNSUBSCRIBED',
              timestamp: at,
              wideStatusType: 'PORTAL_WIDE',
              businessUnitId: 0,
            },
          ]
        : [];
      return reply.send(actionResponse(results, requestedAt));
    },
  );

  addRoute(
    app,
    'POST',
    `${statuses}/unsubscribe-all`,
    { name: 'commPrefs.unsubscribeAll', kind: 'api', write: true, scopes: WRITE_PREFERENCES },
    async (request, reply) => {
      const requestedAt = new Date().toISOString();
      const email = subscriberOf(request, reply, true);
      if (!email) return reply;
      const already = store.unsubscribedFromAllAt(email) !== undefined;
      const now = new Date();
      if (!already) {
        store.unsubscribeAll(email, { source: SOURCE }, now);
        mirrorSubscriptions(state, email, now, 'INTEGRATION');
      }
      const reason: SetStatusReason = already ? 'NO_STATUS_CHANGE' : 'UNSUBSCRIBE_FROM_ALL_OCCURRED';
      // Without `verbose`, HubSpot does not list the per-subscription statuses it changed.
      const results =
        queryString(request, 'verbose') === 'true'
          ? store.definitions.map((definition) => publicStatusOf(store, email, definition, createdAt, reason))
          : [];
      return reply.send(actionResponse(results, requestedAt));
    },
  );
}
