/**
 * What the API answers, for the OpenAPI document. These are descriptions, not checks: the server builds its answers
 * from TypeScript types (`LeadState`, `ConnectionStatus`, `BatchItemResult`...), which stay the one full definition.
 * Each schema here names the fields a caller reads and lets any others through (loose objects), so it cannot
 * contradict a field added to a type; test/http/openapi.test.ts checks real answers against them.
 */
import { z } from 'zod';
import { LEAD_STATUSES } from '../client/lead-list.js';

const time = z.string().describe('ISO 8601');

export const acceptedAnswer = z.looseObject({
  workflowId: z.string().describe('lead:<portalId>:<email>'),
  eventId: z.string().describe('the eventId sent, or one chosen by the service'),
});

const subscription = z.looseObject({ unsubscribedFromAll: z.boolean(), unsubscribed: z.array(z.string()) });

/** The main fields of `LeadState` (src/shared/lead-types.ts); its nested records are left open on purpose. */
export const leadStateAnswer = z.looseObject({
  email: z.string(),
  portalId: z.string(),
  status: z.enum(LEAD_STATUSES),
  hubspotId: z.string().optional(),
  deleted: z.boolean().describe('true only in the final state of a lead whose GDPR delete HubSpot confirmed'),
  properties: z.record(z.string(), z.string()).describe('the properties last synced, as HubSpot holds them'),
  subscription,
  pending: z.array(z.looseObject({ eventId: z.string(), kind: z.string(), receivedAt: time })),
  failed: z.array(
    z.looseObject({ event: z.looseObject({ eventId: z.string() }), errorType: z.string(), message: z.string() }),
  ),
  processedEvents: z.number().int(),
  lastSyncedAt: time.optional(),
  createdAt: time,
  updatedAt: time,
  hubspot: z.looseObject({}).describe('what HubSpot itself changed, as webhooks or polling reported it'),
  deliveries: z.looseObject({}).describe('changes from HubSpot on their way to the backend, and those it refused'),
});

export const leadPageAnswer = z.looseObject({
  leads: z.array(
    z.looseObject({
      email: z.string(),
      portalId: z.string(),
      status: z.enum(LEAD_STATUSES),
      hubspotId: z.string().optional(),
      workflowId: z.string(),
    }),
  ),
  nextPageToken: z.string().optional().describe('pass back as pageToken for the next page; absent on the last one'),
});

const issues = z.array(z.looseObject({ field: z.string(), message: z.string() }));

export const batchAnswer = z.looseObject({
  accepted: z.number().int(),
  rejected: z.number().int(),
  results: z.array(
    z.union([
      z.looseObject({
        index: z.number().int(),
        accepted: z.literal(true),
        workflowId: z.string(),
        eventId: z.string(),
      }),
      z.looseObject({ index: z.number().int(), accepted: z.literal(false), error: z.literal('invalid_input'), issues }),
      z
        .looseObject({ index: z.number().int(), accepted: z.literal(false), error: z.literal('unavailable') })
        .describe('Temporal did not take the event: send the item again'),
    ]),
  ),
});

export const eventOutcomesAnswer = z.looseObject({
  events: z.array(
    z.looseObject({
      email: z.string(),
      eventId: z.string(),
      outcome: z.enum(['pending', 'blocked', 'synced', 'failed', 'unknown']),
      failure: z.looseObject({ errorType: z.string(), message: z.string() }).optional(),
    }),
  ),
});

export const connectionAnswer = z.looseObject({
  mode: z.enum(['static', 'oauth']),
  state: z.enum(['connected', 'refreshing', 'needs_reauth']),
  portalId: z.string(),
  expiresAt: time.optional(),
  lastRefreshAt: time.optional(),
  consecutiveFailures: z.number().int(),
  lastError: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});

export const portalsAnswer = z.looseObject({
  portals: z.array(z.looseObject({ portalId: z.string(), default: z.boolean(), connection: connectionAnswer })),
});

export const healthAnswer = z.looseObject({
  status: z.enum(['ok', 'unavailable']),
  temporal: z.looseObject({
    reachable: z.boolean(),
    namespace: z.string().optional(),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
  }),
  hubspot: z.looseObject({ mode: z.string() }).optional(),
});

export const installLinkAnswer = z.looseObject({
  url: z.string().describe('open it in a browser within expiresInSeconds'),
  expiresInSeconds: z.number().int(),
});

export const webhookAnswer = z.looseObject({
  accepted: z.number().int().describe('events handed to Temporal'),
  echoes: z.number().int().describe("events HubSpot reports as this app's own writes, dropped"),
  ignored: z.number().int().describe('events of types this service does not handle, or malformed ones'),
});
