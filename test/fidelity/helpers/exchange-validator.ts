/**
 * Validates one HTTP exchange (what the client sent, what the server answered) against the matching operation in
 * HubSpot's OpenAPI documents. Where HubSpot's live behaviour knowingly differs from its documents, the difference
 * is allowed here and only here, in DEVIATIONS, each with its reason (see SOURCE.md beside the documents and the
 * sandbox README's "Where it knowingly differs from the specs").
 */
import { isDeepStrictEqual } from 'node:util';
import type { Operation, Problem, Specs } from './openapi.js';

/** The shape of the sandbox's recorded `Exchange`; the loopback's recordings are converted to it. */
export interface HttpExchange {
  method: string;
  /** Raw (percent-encoded) path, no query string. */
  path: string;
  query: Record<string, string>;
  requestHeaders: Record<string, string | undefined>;
  /** Parsed JSON, form fields as an object (or the raw form string), or undefined when nothing was sent. */
  requestBody: unknown;
  status: number;
  responseHeaders: Record<string, string | undefined>;
  responseBody: unknown;
}

interface DeviationContext {
  exchange: HttpExchange;
  operation: Operation;
}

export interface Deviation {
  name: string;
  reason: string;
  /** False when only live HubSpot shows it (the sandbox answers by the spec); `client-sandbox.test.ts` checks the rest are still needed. */
  sandbox: boolean;
  /** Validate the exchange as if its path were this one (for paths no document here describes). */
  rewritePath?: (path: string) => string | undefined;
  /** Accepts one problem the documents would otherwise report. */
  allows?: (problem: Problem, ctx: DeviationContext) => boolean;
}

const isResponseBody = (p: Problem) => /^response \d+ body$/.test(p.location);
const isErrorStatus = (ctx: DeviationContext) => ctx.exchange.status >= 400;
const valueAt = (p: Problem): unknown => p.error?.data;

export const DEVIATIONS: readonly Deviation[] = [
  {
    name: 'oauth-v3-paths',
    sandbox: true,
    reason: '/oauth/v3/token* has no spec file here; HubSpot serves it exactly like /oauth/2026-03/token*.',
    rewritePath: (path) => (path.startsWith('/oauth/v3/') ? path.replace('/oauth/v3/', '/oauth/2026-03/') : undefined),
  },
  {
    name: 'null-property-values',
    sandbox: true,
    reason: 'Requested properties that have no value come back as null; the schemas type them as string.',
    allows: (p) =>
      isResponseBody(p) &&
      p.error?.keyword === 'type' &&
      valueAt(p) === null &&
      /(^|\/)properties\/[^/]+$/.test(p.error.instancePath),
  },
  {
    name: 'rate-limit-body',
    sandbox: true,
    reason: 'A 429 body has errorType and policyName (and groupName) instead of category, which Error requires.',
    allows: (p, ctx) =>
      ctx.exchange.status === 429 &&
      isResponseBody(p) &&
      p.error?.keyword === 'required' &&
      p.error.instancePath === '' &&
      (p.error.params as { missingProperty?: string }).missingProperty === 'category',
  },
  {
    name: 'error-body-fields-optional',
    sandbox: false,
    reason: 'HubSpot says to treat every field of an error body as optional; the Error schema requires some.',
    allows: (p, ctx) =>
      ctx.exchange.status !== 429 &&
      isErrorStatus(ctx) &&
      isResponseBody(p) &&
      p.error?.keyword === 'required' &&
      p.error.instancePath === '',
  },
  {
    name: 'introspect-inactive',
    sandbox: true,
    reason: 'token/introspect answers {"active":false} for unknown or expired tokens; the spec omits that shape.',
    allows: (p, ctx) =>
      ctx.operation.template.endsWith('/token/introspect') &&
      ctx.exchange.status === 200 &&
      isResponseBody(p) &&
      isDeepStrictEqual(ctx.exchange.responseBody, { active: false }),
  },
  {
    name: 'revoke-empty-200',
    sandbox: true,
    reason: 'token/revoke answers 200 with an empty body; the spec lists only a default (error) response.',
    allows: (p, ctx) =>
      ctx.operation.template.endsWith('/token/revoke') &&
      ctx.exchange.status === 200 &&
      (ctx.exchange.responseBody === undefined || ctx.exchange.responseBody === '') &&
      p.location === 'response 200 body' &&
      p.error === undefined,
  },
];

/** Not HubSpot API operations: the sandbox's own admin routes and its stand-in for the browser consent page. */
export const NOT_API_ROUTES: ReadonlyArray<{ prefix: string; reason: string }> = [
  { prefix: '/_sandbox/', reason: 'sandbox administration, not part of HubSpot' },
  { prefix: '/oauth/authorize', reason: 'the browser consent page (HTML redirect), not described by the API specs' },
];

/**
 * HubSpot operations that no document in shared/hubspot-openapi describes. The drivers still call them, so the client's
 * zod schema of the answer (src/hubspot/schemas.ts) is what checks the sandbox there.
 */
export const UNSPECIFIED_ROUTES: ReadonlyArray<{ prefix: string; reason: string }> = [
  { prefix: '/account-info/', reason: "account details: HubSpot's reference pages only, no OpenAPI document here" },
];

export interface ExchangeVerdict {
  /** Undefined for NOT_API_ROUTES and UNSPECIFIED_ROUTES. */
  operation?: Operation;
  problems: Problem[];
  /** Names of the deviations that accepted something in this exchange. */
  deviationsUsed: string[];
}

const header = (headers: Record<string, string | undefined>, name: string): string | undefined =>
  Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

function requestBodyOf(exchange: HttpExchange, contentType: string | undefined): unknown {
  const body = exchange.requestBody;
  if (typeof body !== 'string') return body;
  if (body === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  if (contentType?.includes('json')) return JSON.parse(body) as unknown;
  return body;
}

function responseBodyOf(exchange: HttpExchange, contentType: string | undefined): unknown {
  const body = exchange.responseBody;
  if (typeof body === 'string' && contentType?.includes('json') && body !== '') return JSON.parse(body) as unknown;
  return body === '' ? undefined : body;
}

export function validateExchange(specs: Specs, exchange: HttpExchange): ExchangeVerdict {
  const unchecked = [...NOT_API_ROUTES, ...UNSPECIFIED_ROUTES];
  if (unchecked.some((r) => exchange.path.startsWith(r.prefix))) return { problems: [], deviationsUsed: [] };
  const used = new Set<string>();
  let lookup = exchange.path;
  for (const d of DEVIATIONS) {
    const rewritten = d.rewritePath?.(lookup);
    if (rewritten !== undefined) {
      lookup = rewritten;
      used.add(d.name);
    }
  }
  const operation = specs.find(exchange.method, lookup);
  const label = `${exchange.method} ${exchange.path}`;
  if (!operation) {
    return {
      problems: [{ operation: label, location: 'request', pointer: '', message: 'no operation in the specs matches' }],
      deviationsUsed: [...used],
    };
  }
  const requestType = header(exchange.requestHeaders, 'content-type');
  const responseType = header(exchange.responseHeaders, 'content-type');
  const found = [
    ...specs.checkParameters(operation, exchange.query),
    ...specs.checkRequestBody(operation, requestType, requestBodyOf(exchange, requestType)),
    ...specs.checkResponse(operation, exchange.status, responseType, responseBodyOf(exchange, responseType)),
  ];
  const ctx: DeviationContext = { exchange, operation };
  const problems = found.filter((problem) => {
    const allowedBy = DEVIATIONS.find((d) => d.allows?.(problem, ctx));
    if (allowedBy) used.add(allowedBy.name);
    return !allowedBy;
  });
  return { operation, problems, deviationsUsed: [...used] };
}
