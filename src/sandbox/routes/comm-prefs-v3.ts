import type { FastifyInstance } from 'fastify';
import { addRoute, READ_PREFERENCES, WRITE_PREFERENCES } from '../context.js';
import { isValidEmail } from '../contacts/properties.js';
import { sendError } from '../errors.js';
import { parseBody } from '../parse-body.js';
import { PREFERENCES_V3 } from '../paths.js';
import { mirrorSubscriptions } from '../preferences/mirror.js';
import { definitionOf, SOURCE, v3StatusOf } from '../preferences/presenters.js';
import { v3SubscriptionInput } from '../schemas.js';
import type { SandboxState } from '../state/sandbox-state.js';

export function registerCommPrefsV3Routes(app: FastifyInstance, state: SandboxState): void {
  const createdAt = new Date().toISOString();
  const store = state.subscriptions;

  addRoute(
    app,
    'GET',
    `${PREFERENCES_V3}/definitions`,
    { name: 'commPrefs.definitions', kind: 'api', scopes: READ_PREFERENCES },
    async (_request, reply) =>
      reply.send({
        subscriptionDefinitions: store.definitions.map((definition) => definitionOf(definition, createdAt)),
      }),
  );

  addRoute(
    app,
    'GET',
    `${PREFERENCES_V3}/status/email/:emailAddress`,
    { name: 'commPrefs.status', kind: 'api', scopes: READ_PREFERENCES },
    async (request, reply) => {
      const email = (request.params as { emailAddress: string }).emailAddress.trim().toLowerCase();
      if (!isValidEmail(email))
        return sendError(request, reply, 400, 'VALIDATION_ERROR', `Invalid email address: ${email}`);
      return reply.send({
        recipient: email,
        subscriptionStatuses: store.definitions.map((definition) => v3StatusOf(store, email, definition)),
      });
    },
  );

  for (const action of ['subscribe', 'unsubscribe'] as const) {
    addRoute(
      app,
      'POST',
      `${PREFERENCES_V3}/${action}`,
      { name: `commPrefs.${action}`, kind: 'api', write: true, scopes: WRITE_PREFERENCES },
      async (request, reply) => {
        const body = parseBody(v3SubscriptionInput, request, reply);
        if (!body) return reply;
        const email = body.emailAddress.trim().toLowerCase();
        if (!isValidEmail(email))
          return sendError(request, reply, 400, 'VALIDATION_ERROR', `Invalid email address: ${email}`);
        const definition = store.definition(Number(body.subscriptionId));
        if (!definition) {
          return sendError(
            request,
            reply,
            400,
            'VALIDATION_ERROR',
            `Subscription ${body.subscriptionId} does not exist`,
          );
        }
        const current = store.stateOf(email, definition.id);
        const optedOut = store.unsubscribedFromAllAt(email) !== undefined;
        if (action === 'unsubscribe' && (current === 'UNSUBSCRIBED' || optedOut)) {
          return sendError(
            request,
            reply,
            400,
            'VALIDATION_ERROR',
            `${email} is already unsubscribed from subscription ${definition.id}`,
          );
        }
        if (action === 'subscribe' && (current === 'UNSUBSCRIBED' || optedOut)) {
          // v3 cannot resubscribe someone who opted out; only the date-based API can.
          return sendError(
            request,
            reply,
            400,
            'VALIDATION_ERROR',
            `${email} has opted out of subscription ${definition.id} and cannot be resubscribed through this API`,
          );
        }
        if (action === 'subscribe' && current === 'SUBSCRIBED') {
          return sendError(
            request,
            reply,
            400,
            'VALIDATION_ERROR',
            `${email} is already subscribed to subscription ${definition.id}`,
          );
        }
        const change = {
          source: SOURCE,
          ...(body.legalBasis ? { legalBasis: body.legalBasis } : {}),
          ...(body.legalBasisExplanation ? { legalBasisExplanation: body.legalBasisExplanation } : {}),
        };
        const now = new Date();
        store.set(email, definition.id, action === 'subscribe' ? 'SUBSCRIBED' : 'UNSUBSCRIBED', change, now);
        mirrorSubscriptions(state, email, now, 'INTEGRATION');
        return reply.send(v3StatusOf(store, email, definition));
      },
    );
  }
}
