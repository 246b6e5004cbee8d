/**
 * The operations of the OpenAPI document, one per route, and the schemas they name. Request bodies and parameters
 * are the routes' own zod schemas, narrowed or extended as each route uses them; answers come from
 * openapi-answers.ts.
 */
import { z } from 'zod';
import { eventOutcomesInput, MAX_BATCH_ITEMS } from '../client/lead-batch.js';
import {
  emailSchema,
  leadOnlyInput,
  registerInput,
  retryFailedInput,
  subscriptionInput,
  updateInput,
} from '../client/schemas.js';
import { payloadsBody } from './codec-endpoint.js';
import { errorBodySchema } from './errors.js';
import { listQuery } from './lead-list.js';
import * as answers from './openapi-answers.js';
import { openApiParameters, type JsonSchema } from './openapi-schema.js';

/**
 * `checkPortal` (portal-param.ts) is plain code, not a schema: this says what it takes. Any other portal than the
 * service's is refused with a 400 naming `portalId`.
 */
const portalId = z.union([z.string(), z.number()]).optional().describe("the service's portal id; omit it for the same");

const withPortal = <S extends z.ZodObject>(schema: S) => schema.extend({ portalId });

/** Request bodies, by component name. The lead routes take the email from the path, and `portalId` beside it. */
export const requestSchemas = {
  RegisterLead: withPortal(registerInput),
  UpdateLead: withPortal(updateInput.omit({ email: true })),
  SubscriptionChange: withPortal(subscriptionInput.omit({ email: true })),
  LeadEvent: withPortal(leadOnlyInput.omit({ email: true })),
  RetryFailed: withPortal(retryFailedInput.omit({ email: true })),
  // The batch routes check the list themselves (batchOf) and each item with the schema of a single call.
  LeadBatch: z.object({
    portalId,
    leads: z
      .array(registerInput)
      .min(1)
      .max(MAX_BATCH_ITEMS)
      .describe('an item that fails its checks is answered with its issues and does not stop the others'),
  }),
  EventOutcomesRequest: z.object({ portalId, events: eventOutcomesInput.shape.events.min(1).max(MAX_BATCH_ITEMS) }),
  CodecPayloads: payloadsBody,
};

export const answerSchemas = {
  Error: errorBodySchema,
  Accepted: answers.acceptedAnswer,
  RetryAccepted: answers.acceptedAnswer.pick({ workflowId: true }),
  LeadState: answers.leadStateAnswer,
  LeadPage: answers.leadPageAnswer,
  BatchResults: answers.batchAnswer,
  EventOutcomes: answers.eventOutcomesAnswer,
  Portals: answers.portalsAnswer,
  ConnectionStatus: answers.connectionAnswer,
  InstallLink: answers.installLinkAnswer,
  WebhookReceipt: answers.webhookAnswer,
  Health: answers.healthAnswer,
};

type SchemaName = keyof typeof requestSchemas | keyof typeof answerSchemas;
const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

const json = (name: SchemaName) => ({ 'application/json': { schema: ref(name) } });
const answer = (description: string, name: SchemaName) => ({ description, content: json(name) });
const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const body = (name: SchemaName, required = true) => ({ required, content: json(name) });

const ERRORS = {
  400: 'a field is wrong: `issues` names each one',
  401: 'missing or wrong bearer token',
  403: 'LEADSYNC_API_KEY is not set, and the client is not on this machine',
  404: 'no such lead (never registered, or deleted)',
  413: 'the body is larger than the route takes',
  415: 'the body is not application/json',
  503: 'Temporal did not take the request, or no portal is connected yet: retry it',
} as const;

const errors = (...codes: Array<keyof typeof ERRORS>) =>
  Object.fromEntries(codes.map((code) => [code, answer(ERRORS[code], 'Error')]));

const emailPath = openApiParameters(z.object({ email: emailSchema }), 'path');
const portalQuery = openApiParameters(z.object({ portalId }), 'query');

/** A lead call: the API key, the lead's email in the path (for most), and its 4xx/5xx. */
function leadCall(operation: {
  operationId: string;
  summary: string;
  description?: string;
  email?: boolean;
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
  errors: Array<keyof typeof ERRORS>;
}): JsonSchema {
  const { email = true, errors: codes, parameters = [], responses, ...rest } = operation;
  return {
    tags: ['leads'],
    ...rest,
    parameters: [...(email ? emailPath : []), ...parameters],
    responses: { ...responses, ...errors(...codes, 401, 403) },
  };
}

/** A lead write: 202 once Temporal has the event. */
const written = (operation: { operationId: string; summary: string; requestBody: JsonSchema; email?: boolean }) =>
  leadCall({
    ...operation,
    responses: { 202: answer('Temporal has the event', 'Accepted') },
    errors: [400, 413, 415, 503],
  });

export const paths = {
  '/v1/leads': {
    post: written({
      operationId: 'registerLead',
      summary: 'Register a lead',
      requestBody: body('RegisterLead'),
      email: false,
    }),
    get: leadCall({
      operationId: 'listLeads',
      summary: "A page of the portal's leads, from Temporal's visibility (lags the leads by a second or so)",
      email: false,
      parameters: openApiParameters(listQuery, 'query'),
      responses: { 200: answer('a page of leads', 'LeadPage') },
      errors: [400, 503],
    }),
  },
  '/v1/leads/{email}': {
    get: leadCall({
      operationId: 'leadState',
      summary: "The lead's state as its workflow holds it (never a token)",
      parameters: portalQuery,
      responses: { 200: answer("the lead's state", 'LeadState') },
      errors: [400, 404, 503],
    }),
    patch: written({
      operationId: 'updateLead',
      summary: "Update a lead's properties",
      requestBody: body('UpdateLead'),
    }),
    delete: written({
      operationId: 'deleteLead',
      summary: 'GDPR-delete the lead in HubSpot',
      requestBody: body('LeadEvent', false),
    }),
  },
  '/v1/leads/{email}/unsubscribe': {
    post: written({
      operationId: 'unsubscribeLead',
      summary: 'Unsubscribe from one subscription, or from all email without subscriptionId',
      requestBody: body('SubscriptionChange', false),
    }),
  },
  '/v1/leads/{email}/resubscribe': {
    post: written({
      operationId: 'resubscribeLead',
      summary: "Undo the lead's own unsubscribes, or resubscribe to one subscription",
      requestBody: body('SubscriptionChange', false),
    }),
  },
  '/v1/leads/{email}/resync': {
    post: leadCall({
      operationId: 'resyncLead',
      summary: 'Re-apply the last known state to HubSpot (a lead the service holds only)',
      requestBody: body('LeadEvent', false),
      responses: { 202: answer('Temporal has the event', 'Accepted') },
      errors: [400, 404, 413, 415, 503],
    }),
  },
  '/v1/leads/{email}/retry-failed': {
    post: leadCall({
      operationId: 'retryFailed',
      summary: 'Replay failed events and deliveries (all, or those named)',
      requestBody: body('RetryFailed', false),
      responses: { 202: answer('Temporal has the replay', 'RetryAccepted') },
      errors: [400, 404, 413, 415, 503],
    }),
  },
  '/v1/leads/batch': {
    post: leadCall({
      operationId: 'registerBatch',
      summary: `Register up to ${MAX_BATCH_ITEMS} leads, each checked and sent on its own`,
      email: false,
      requestBody: body('LeadBatch'),
      responses: { 202: answer('one result per item, in order', 'BatchResults') },
      errors: [400, 413, 415, 503],
    }),
  },
  '/v1/leads/batch/status': {
    post: leadCall({
      operationId: 'eventOutcomes',
      summary: 'Where each event stands: pending, blocked, synced, failed or unknown',
      email: false,
      requestBody: body('EventOutcomesRequest'),
      responses: { 200: answer('one outcome per event, in order', 'EventOutcomes') },
      errors: [400, 413, 415, 503],
    }),
  },
  '/v1/portals': {
    get: {
      tags: ['portals'],
      operationId: 'listPortals',
      summary: 'The portal this service syncs, with its connection state',
      responses: { 200: answer('the portals (none before an OAuth install)', 'Portals'), ...errors(401, 403) },
    },
  },
  '/v1/connection': {
    get: {
      tags: ['portals'],
      operationId: 'connectionStatus',
      summary: "The portal connection's status (never a token)",
      responses: { 200: answer('the connection', 'ConnectionStatus'), ...errors(401, 403, 503) },
    },
  },
  '/v1/oauth/install-link': {
    post: {
      tags: ['oauth'],
      operationId: 'installLink',
      summary: 'A 10-minute link that lets a browser start the OAuth install without the API key',
      responses: { 200: answer('the link', 'InstallLink'), ...errors(401, 403) },
    },
  },
  '/oauth/install': {
    get: {
      tags: ['oauth'],
      operationId: 'oauthInstall',
      summary: "Start HubSpot's OAuth install (OAuth apps only)",
      security: [{ bearer: [] }, {}],
      parameters: [
        {
          name: 'ticket',
          in: 'query',
          required: false,
          description: 'an install link ticket',
          schema: { type: 'string' },
        },
      ],
      responses: {
        302: { description: "to HubSpot's authorization page", headers: { Location: { schema: { type: 'string' } } } },
        401: html('neither the API key nor a valid ticket'),
      },
    },
  },
  '/oauth/callback': {
    get: {
      tags: ['oauth'],
      operationId: 'oauthCallback',
      summary: 'Where HubSpot sends the browser back after the install (OAuth apps only)',
      security: [],
      parameters: ['code', 'state', 'error', 'error_description'].map((name) => ({
        name,
        in: 'query',
        required: false,
        schema: { type: 'string' },
      })),
      responses: {
        200: html('the portal is connected'),
        400: html('HubSpot refused, or the state is missing, stale or from another browser'),
        409: html('the tokens belong to another portal than the one this service syncs'),
        502: html('HubSpot did not exchange the code'),
      },
    },
  },
  '/hubspot/webhooks': {
    post: {
      tags: ['hubspot'],
      operationId: 'hubspotWebhooks',
      summary: "HubSpot's webhook batches, signed with the app's client secret (X-HubSpot-Signature-v3)",
      description:
        "The events follow HubSpot's webhook format; events of other types, or malformed ones, are acknowledged and ignored.",
      security: [],
      parameters: ['X-HubSpot-Signature-v3', 'X-HubSpot-Request-Timestamp'].map((name) => ({
        name,
        in: 'header',
        required: true,
        schema: { type: 'string' },
      })),
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'array', items: { type: 'object' }, maxItems: 100 } } },
      },
      responses: {
        200: answer('the batch is in Temporal', 'WebhookReceipt'),
        ...errors(400, 413, 415),
        401: answer('the signature is missing, stale or does not match', 'Error'),
        404: answer('no OAuth app is configured (static token: HubSpot is polled instead)', 'Error'),
      },
    },
  },
  ...Object.fromEntries(
    (['encode', 'decode'] as const).map((op) => [
      `/codec/${op}`,
      {
        post: {
          tags: ['codec'],
          operationId: `codec${op === 'encode' ? 'Encode' : 'Decode'}`,
          summary: `Temporal's remote codec protocol: ${op} payloads (for the Web UI and the temporal CLI)`,
          requestBody: body('CodecPayloads'),
          responses: {
            200: { description: `the ${op}d payloads`, content: json('CodecPayloads') },
            ...errors(401, 403),
            400: answer('the body is not a list of payloads, or a payload could not be processed', 'Error'),
          },
        },
      },
    ]),
  ),
  '/healthz': {
    get: {
      tags: ['service'],
      operationId: 'health',
      summary: 'Liveness: 200 while Temporal answers',
      security: [],
      responses: {
        200: answer('Temporal is reachable', 'Health'),
        503: answer('Temporal is not reachable', 'Health'),
      },
    },
  },
  '/openapi.json': {
    get: {
      tags: ['service'],
      operationId: 'openApi',
      summary: 'This document',
      security: [],
      responses: { 200: { description: 'an OpenAPI 3.1 document', content: { 'application/json': { schema: {} } } } },
    },
  },
};
