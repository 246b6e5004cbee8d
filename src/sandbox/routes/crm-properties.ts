import type { FastifyInstance } from 'fastify';
import { addRoute, READ_CONTACT_SCHEMA, WRITE_CONTACT_SCHEMA } from '../context.js';
import { sendError } from '../errors.js';
import { parseBody, queryString } from '../parse-body.js';
import { PROPERTY_BASES } from '../paths.js';
import { customDefinition, propertyCreateInput } from '../properties/create.js';
import type { SandboxState } from '../state/sandbox-state.js';

/**
 * HubSpot's Properties API for contacts: list, read one, create. A created property can be written at once, which
 * is what turns a PROPERTY_DOESNT_EXIST rejection into a successful write.
 */
export function registerCrmPropertyRoutes(app: FastifyInstance, state: SandboxState): void {
  for (const base of PROPERTY_BASES) {
    addRoute(
      app,
      'GET',
      base,
      { name: 'properties.list', kind: 'api', scopes: READ_CONTACT_SCHEMA },
      // The sandbox never archives a property, so the archived list is empty.
      async (request, reply) =>
        reply.send({ results: queryString(request, 'archived') === 'true' ? [] : state.properties.all() }),
    );

    addRoute(
      app,
      'GET',
      `${base}/:propertyName`,
      { name: 'properties.get', kind: 'api', scopes: READ_CONTACT_SCHEMA },
      async (request, reply) => {
        const { propertyName } = request.params as { propertyName: string };
        const definition = state.properties.find(propertyName);
        if (!definition) {
          return sendError(request, reply, 404, 'OBJECT_NOT_FOUND', `Property "${propertyName}" does not exist`, {
            context: { name: [propertyName] },
          });
        }
        return reply.send(definition);
      },
    );

    addRoute(
      app,
      'POST',
      base,
      { name: 'properties.create', kind: 'api', write: true, scopes: WRITE_CONTACT_SCHEMA },
      async (request, reply) => {
        const body = parseBody(propertyCreateInput, request, reply);
        if (!body) return reply;
        const definition = customDefinition(body, new Date());
        if (!state.properties.create(definition)) {
          return sendError(
            request,
            reply,
            409,
            'OBJECT_ALREADY_EXISTS',
            `Property named '${body.name}' already exists.`,
            {
              context: { name: [body.name] },
            },
          );
        }
        return reply.code(201).send(definition);
      },
    );
  }
}
