import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addRoute, READ_CONTACTS, WRITE_CONTACTS } from '../context.js';
import { toPropertyValues } from '../contacts/properties.js';
import { presentContact } from '../contacts/present.js';
import { batchError, ContactWriter, type WriteResult } from '../contacts/writes.js';
import { sendError, standardError } from '../errors.js';
import { parseBody, queryString } from '../parse-body.js';
import { CONTACT_BASES } from '../paths.js';
import { batchArchiveInput, batchCreateInput, batchReadInput, batchUpdateInput, upsertInput } from '../schemas.js';
import type { SandboxState } from '../state/sandbox-state.js';

// HubSpot caps CRM batch inputs at 100 per request.
const MAX_BATCH = 100;

interface BatchOutcome {
  results: Record<string, unknown>[];
  errors: ReturnType<typeof batchError>[];
  requestedAt: string;
}

function tooLarge(request: FastifyRequest, reply: FastifyReply, size: number): FastifyReply | undefined {
  if (size <= MAX_BATCH) return undefined;
  return sendError(
    request,
    reply,
    400,
    'VALIDATION_ERROR',
    `Too many inputs: ${size}. The maximum number of inputs per batch request is ${MAX_BATCH}.`,
  );
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) repeated.add(id);
    seen.add(id);
  }
  return [...repeated];
}

/** 2xx with every result, or 207 with `numErrors` and `errors` when some inputs failed. */
function sendBatch(reply: FastifyReply, outcome: BatchOutcome, okStatus: number): FastifyReply {
  const body = {
    status: 'COMPLETE',
    results: outcome.results,
    requestedAt: outcome.requestedAt,
    startedAt: outcome.requestedAt,
    completedAt: new Date().toISOString(),
  };
  if (outcome.errors.length === 0) return reply.code(okStatus).send(body);
  return reply.code(207).send({ ...body, numErrors: outcome.errors.length, errors: outcome.errors });
}

export function registerContactBatchRoutes(app: FastifyInstance, state: SandboxState): void {
  const writer = new ContactWriter(state);
  const readable = state.properties.readable();
  const collect = (
    outcome: BatchOutcome,
    result: WriteResult,
    id: string | undefined,
    upsert: boolean,
    traceId?: string,
  ): void => {
    if (!result.ok) {
      outcome.errors.push(batchError(result.rejection, id));
      return;
    }
    const presented = presentContact(result.contact, 'write', undefined, readable);
    outcome.results.push({
      ...presented,
      ...(upsert ? { new: result.isNew } : {}),
      ...(traceId ? { objectWriteTraceId: traceId } : {}),
    });
  };
  const start = (): BatchOutcome => ({ results: [], errors: [], requestedAt: new Date().toISOString() });

  for (const base of CONTACT_BASES) {
    addRoute(
      app,
      'POST',
      `${base}/batch/upsert`,
      { name: 'contacts.batchUpsert', kind: 'api', write: true, scopes: WRITE_CONTACTS },
      async (request, reply) => {
        const body = parseBody(upsertInput, request, reply);
        if (!body) return reply;
        const oversized = tooLarge(request, reply, body.inputs.length);
        if (oversized) return oversized;
        const keys = body.inputs.map((input) =>
          input.idProperty === 'email' ? input.id.trim().toLowerCase() : input.id,
        );
        const repeated = duplicates(keys);
        if (repeated.length) {
          return sendError(
            request,
            reply,
            400,
            'VALIDATION_ERROR',
            `Duplicate IDs found in batch input: [${repeated.join(', ')}]. IDs must be unique`,
          );
        }
        const outcome = start();
        const now = new Date();
        for (const input of body.inputs) {
          const result = writer.upsert(
            input.id,
            input.idProperty,
            toPropertyValues(input.properties),
            now,
            'INTEGRATION',
          );
          collect(outcome, result, input.id, true, input.objectWriteTraceId);
        }
        return sendBatch(reply, outcome, 200);
      },
    );

    addRoute(
      app,
      'POST',
      `${base}/batch/create`,
      { name: 'contacts.batchCreate', kind: 'api', write: true, scopes: WRITE_CONTACTS },
      async (request, reply) => {
        const body = parseBody(batchCreateInput, request, reply);
        if (!body) return reply;
        const oversized = tooLarge(request, reply, body.inputs.length);
        if (oversized) return oversized;
        const outcome = start();
        const now = new Date();
        for (const input of body.inputs) {
          const result = writer.create(toPropertyValues(input.properties), now, 'INTEGRATION');
          collect(outcome, result, input.objectWriteTraceId, false, input.objectWriteTraceId);
        }
        return sendBatch(reply, outcome, 201);
      },
    );

    addRoute(
      app,
      'POST',
      `${base}/batch/update`,
      { name: 'contacts.batchUpdate', kind: 'api', write: true, scopes: WRITE_CONTACTS },
      async (request, reply) => {
        const body = parseBody(batchUpdateInput, request, reply);
        if (!body) return reply;
        const oversized = tooLarge(request, reply, body.inputs.length);
        if (oversized) return oversized;
        const outcome = start();
        const now = new Date();
        for (const input of body.inputs) {
          const contact = state.contacts.find(input.id, input.idProperty);
          const result: WriteResult = contact
            ? writer.update(contact, toPropertyValues(input.properties), now, 'INTEGRATION')
            : {
                ok: false,
                rejection: {
                  status: 404,
                  category: 'OBJECT_NOT_FOUND',
                  message: `Could not find a contact with id ${input.id}`,
                },
              };
          collect(outcome, result, input.id, false, input.objectWriteTraceId);
        }
        return sendBatch(reply, outcome, 200);
      },
    );

    addRoute(
      app,
      'POST',
      `${base}/batch/read`,
      { name: 'contacts.batchRead', kind: 'api', scopes: READ_CONTACTS },
      async (request, reply) => {
        const body = parseBody(batchReadInput, request, reply);
        if (!body) return reply;
        const oversized = tooLarge(request, reply, body.inputs.length);
        if (oversized) return oversized;
        const archived = queryString(request, 'archived') === 'true';
        const outcome = start();
        const missing: string[] = [];
        for (const { id } of body.inputs) {
          const contact = state.contacts.find(id, body.idProperty, archived);
          if (contact)
            outcome.results.push(
              presentContact(contact, 'read', body.properties?.length ? body.properties : undefined, readable),
            );
          else missing.push(id);
        }
        if (missing.length) {
          outcome.errors.push(
            standardError(
              'OBJECT_NOT_FOUND',
              'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
              { context: { ids: missing } },
            ),
          );
        }
        return sendBatch(reply, outcome, 200);
      },
    );

    addRoute(
      app,
      'POST',
      `${base}/batch/archive`,
      { name: 'contacts.batchArchive', kind: 'api', write: true, scopes: WRITE_CONTACTS },
      async (request, reply) => {
        const body = parseBody(batchArchiveInput, request, reply);
        if (!body) return reply;
        const oversized = tooLarge(request, reply, body.inputs.length);
        if (oversized) return oversized;
        const now = new Date();
        for (const { id } of body.inputs) {
          const contact = state.contacts.findById(id);
          if (contact) state.contacts.archive(contact, now, 'INTEGRATION');
        }
        return reply.code(204).send();
      },
    );
  }
}
