import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { RateDecision } from './state/rate-limiter.js';

/**
 * api: a CRM or communication-preferences call (auth, burst limit, faults);
 * search: the same but with its own secondly limit and no limit headers;
 * token: an OAuth endpoint; page: the authorize page; admin: the sandbox's own controls.
 */
export type RouteKind = 'api' | 'search' | 'token' | 'page' | 'admin';

export interface RouteMeta {
  name: string;
  kind: RouteKind;
  write?: boolean;
  /** Any one of these scopes is enough, as with HubSpot's `*.read_write` scopes. */
  scopes?: string[];
}

export interface RequestContext {
  correlationId: string;
  meta: RouteMeta;
  rate?: RateDecision;
  dailyRemaining?: number;
  tokenKind?: 'static' | 'oauth';
  /** Whether the random fault knobs (latency, 5xx share, drops) cover this request. */
  randomFaults: boolean;
  injected: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    sandbox?: RouteMeta;
  }
  interface FastifyRequest {
    sandbox: RequestContext;
  }
}

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export function addRoute(
  app: FastifyInstance,
  method: HTTPMethods,
  url: string,
  meta: RouteMeta,
  handler: Handler,
): void {
  app.route({ method, url, config: { sandbox: meta }, handler });
}

export const UNKNOWN_ROUTE: RouteMeta = { name: 'unknown', kind: 'page' };

export const READ_CONTACTS = ['crm.objects.contacts.read', 'crm.objects.contacts.write'];
export const WRITE_CONTACTS = ['crm.objects.contacts.write'];
// Reading contact properties takes a schema scope or a contact scope; creating one takes the schema write scope.
export const READ_CONTACT_SCHEMA = ['crm.schemas.contacts.read', 'crm.schemas.contacts.write', ...READ_CONTACTS];
export const WRITE_CONTACT_SCHEMA = ['crm.schemas.contacts.write'];
export const READ_PREFERENCES = [
  'communication_preferences.read',
  'communication_preferences.read_write',
  'communication_preferences.write',
];
export const WRITE_PREFERENCES = ['communication_preferences.write', 'communication_preferences.read_write'];
// HubSpot's reference names `oauth` as the scope account details need, not a CRM scope.
export const READ_ACCOUNT_INFO = ['oauth'];
