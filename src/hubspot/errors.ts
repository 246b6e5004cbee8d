/**
 * What every HubSpot answer becomes (DESIGN.md, "HubSpot answers and what they become"). The activities
 * layer turns a HubSpotError into a Temporal ApplicationFailure from `type`, `retryable` and
 * `retryAfterMs`; nothing here knows about Temporal.
 */
import type { z } from 'zod';
import { FailureType, type FailureTypeName } from '../shared/failure-types.js';
import { redactDeep, redactText, sanitizeUrl } from './redact.js';
import { msUntilNextMidnight, parseRetryAfter } from './retry-after.js';
import { ErrorBodySchema, type ErrorBody } from './schemas.js';

/** What is kept of the underlying failure: never got's error itself, whose options hold the headers. */
export interface SanitizedCause {
  status?: number;
  code?: string;
  method?: string;
  url?: string;
}

export interface HubSpotErrorInit {
  type: FailureTypeName;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
  category?: string;
  subCategory?: string;
  correlationId?: string;
  existingId?: string;
  details?: Record<string, unknown>;
  cause?: SanitizedCause;
}

export class HubSpotError extends Error {
  declare readonly type: FailureTypeName;
  declare readonly retryable: boolean;
  declare readonly retryAfterMs?: number;
  declare readonly status?: number;
  declare readonly category?: string;
  declare readonly subCategory?: string;
  declare readonly correlationId?: string;
  declare readonly existingId?: string;
  declare readonly details?: Record<string, unknown>;

  constructor(init: HubSpotErrorInit) {
    super(init.message, init.cause ? { cause: init.cause } : undefined);
    this.name = 'HubSpotError';
    // Only defined fields become own properties, so logs and JSON stay free of `undefined` noise.
    for (const [key, value] of Object.entries(init)) {
      if (key === 'message' || key === 'cause' || value === undefined) continue;
      Object.defineProperty(this, key, { value, enumerable: true });
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      type: this.type,
      message: this.message,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      status: this.status,
      category: this.category,
      subCategory: this.subCategory,
      correlationId: this.correlationId,
      existingId: this.existingId,
      details: this.details,
    };
  }
}

export function isHubSpotError(err: unknown): err is HubSpotError {
  return err instanceof HubSpotError;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body was JSON, else the raw text (or undefined when empty). */
  body: unknown;
}

export interface ClassifyContext {
  /** Epoch ms, for `Retry-After` dates and the daily reset. */
  now?: number;
  /** The rate budget's view of how long until its rolling window frees a slot. */
  windowRemainingMs?: number;
  /** Portal time zone for `DAILY` resets; UTC when unknown. */
  timeZone?: string;
  /** On the token endpoint `invalid_grant` means a bad code for this grant, a dead refresh token otherwise. */
  grantType?: 'authorization_code' | 'refresh_token';
  /** Values scrubbed from every message and detail. */
  secrets?: readonly string[];
  request?: { method: string; url: string };
}

const VALIDATION_CATEGORIES = new Set(['VALIDATION_ERROR', 'PROPERTY_DOESNT_EXIST', 'INVALID_EMAIL']);
const DEFAULT_WINDOW_MS = 10_000;
const SEARCH_WINDOW_MS = 1_000;
const EXISTING_ID = /Existing ID:\s*(\d+)/;

function header(headers: HttpAnswer['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : undefined;
}

function readBody(body: unknown): { parsed: ErrorBody; text?: string } {
  if (typeof body === 'string') {
    const text = body.trim().slice(0, 300);
    return text ? { parsed: {}, text } : { parsed: {} };
  }
  const result = ErrorBodySchema.safeParse(body);
  return { parsed: result.success ? result.data : {} };
}

function describe(status: number, body: ErrorBody, text: string | undefined): string {
  const what = body.message ?? body.error_description ?? text ?? `HTTP ${status}`;
  const label = body.category ?? (body.status && body.status !== 'error' ? body.status : undefined) ?? body.error;
  return `HubSpot ${status}${label ? ` ${label}` : ''}: ${what}`;
}

function causeOf(status: number | undefined, ctx: ClassifyContext, code?: string): SanitizedCause {
  const cause: SanitizedCause = {};
  if (status !== undefined) cause.status = status;
  if (code !== undefined) cause.code = code;
  if (ctx.request) {
    cause.method = ctx.request.method;
    cause.url = sanitizeUrl(ctx.request.url);
  }
  return cause;
}

function build(init: HubSpotErrorInit, ctx: ClassifyContext): HubSpotError {
  const secrets = ctx.secrets ?? [];
  if (secrets.length === 0) return new HubSpotError(init);
  return new HubSpotError({
    ...init,
    message: redactText(init.message, secrets),
    details: init.details ? redactDeep(init.details, secrets) : undefined,
  });
}

function rateLimitDelay(answer: HttpAnswer, body: ErrorBody, ctx: ClassifyContext, now: number): number {
  const retryAfter = parseRetryAfter(header(answer.headers, 'retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  if (body.policyName === 'DAILY') return msUntilNextMidnight(now, ctx.timeZone ?? 'UTC');
  // HubSpot's own window bounds the wait even when our budget is configured with a longer one.
  const interval = positiveInt(header(answer.headers, 'x-hubspot-ratelimit-interval-milliseconds'));
  if (ctx.windowRemainingMs !== undefined && ctx.windowRemainingMs > 0) {
    return Math.min(ctx.windowRemainingMs, interval ?? Infinity);
  }
  const secondly = body.policyName === 'SECONDLY' || /secondly limit/i.test(body.message ?? '');
  if (secondly) return SEARCH_WINDOW_MS;
  return interval ?? DEFAULT_WINDOW_MS;
}

/**
 * Classifies a non-2xx answer. Pure: time, the budget's window and the portal's zone come in `ctx`.
 * 2xx answers are not errors; the caller validates their body instead (see `badResponse`).
 */
export function classifyResponse(answer: HttpAnswer, ctx: ClassifyContext = {}): HubSpotError {
  const { status } = answer;
  const now = ctx.now ?? Date.now();
  const { parsed: body, text } = readBody(answer.body);
  const correlationId = body.correlationId ?? header(answer.headers, 'x-hubspot-correlation-id');
  const details: Record<string, unknown> = {};
  for (const key of ['context', 'errors', 'policyName', 'groupName', 'errorType', 'error'] as const) {
    if (body[key] !== undefined) details[key] = body[key];
  }
  if (body.subCategory !== undefined && typeof body.subCategory !== 'string') details.subCategory = body.subCategory;
  const common = {
    message: describe(status, body, text),
    status,
    category: body.category,
    subCategory: typeof body.subCategory === 'string' ? body.subCategory : undefined,
    correlationId,
    details: Object.keys(details).length > 0 ? details : undefined,
    cause: causeOf(status, ctx),
  };
  const make = (type: FailureTypeName, retryable: boolean, extra: Partial<HubSpotErrorInit> = {}): HubSpotError =>
    build({ ...common, type, retryable, ...extra }, ctx);

  if (status === 400) {
    const deadRefresh = body.status === 'BAD_REFRESH_TOKEN' || body.error === 'invalid_grant';
    if (deadRefresh && ctx.grantType !== 'authorization_code') return make(FailureType.HubSpotBadRefreshToken, false);
    if (body.category && VALIDATION_CATEGORIES.has(body.category)) return make(FailureType.HubSpotValidation, false);
    return make(FailureType.HubSpotRejected, false);
  }
  if (status === 401) {
    if (body.category === 'EXPIRED_AUTHENTICATION') return make(FailureType.HubSpotTokenExpired, true);
    return make(FailureType.HubSpotAuth, false);
  }
  if (status === 403) return make(FailureType.HubSpotAuth, false);
  if (status === 404) return make(FailureType.HubSpotNotFound, false);
  if (status === 409) {
    const existingId = EXISTING_ID.exec(body.message ?? text ?? '')?.[1];
    return make(FailureType.HubSpotConflict, false, existingId ? { existingId } : {});
  }
  if (status === 429) {
    return make(FailureType.HubSpotRateLimited, true, { retryAfterMs: rateLimitDelay(answer, body, ctx, now) });
  }
  // 408 is the server giving up on a slow request: as transient as our own timeout.
  if (status === 477 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(header(answer.headers, 'retry-after'), now);
    return make(FailureType.HubSpotTransient, true, retryAfterMs !== undefined ? { retryAfterMs } : {});
  }
  return make(FailureType.HubSpotRejected, false);
}

/**
 * One entry of a batch answer's `errors[]` (a `StandardError`), whose `status` is not an HTTP code. The
 * category decides, mapped like the whole-request answers above.
 */
export function classifyBatchError(entry: ErrorBody, ctx: ClassifyContext = {}): HubSpotError {
  const category = entry.category ?? '';
  const numeric = Number(entry.status);
  let status = Number.isInteger(numeric) && numeric >= 400 ? numeric : 400;
  if (category === 'OBJECT_NOT_FOUND') status = 404;
  else if (category === 'CONFLICT') status = 409;
  else if (category === 'RATE_LIMITS') status = 429;
  return classifyResponse({ status, headers: {}, body: entry }, { ...ctx, request: undefined });
}

const TRANSIENT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  // A DNS failure for api.hubapi.com is far more often an outage than a typo; retries are bounded anyway.
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_READING_RESPONSE_STREAM',
]);

/**
 * Classifies a failure to get any answer: timeouts, resets, refused connections. Everything here is
 * transient; an unknown failure is also treated as transient, because the Temporal retry policy bounds
 * it and dropping a write on an unclassified blip is worse than retrying it.
 */
export function classifyTransportError(err: unknown, ctx: ClassifyContext = {}): HubSpotError {
  if (err instanceof HubSpotError) return err;
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  let summary: string;
  if (name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    summary = 'HubSpot request timed out';
  } else if (name === 'AbortError' || code === 'ERR_ABORTED' || code === 'ABORT_ERR') {
    summary = 'HubSpot request aborted';
  } else if ((code && TRANSIENT_CODES.has(code)) || /socket hang up|ECONNRESET/i.test(message)) {
    summary = 'HubSpot connection failed';
  } else {
    summary = 'HubSpot request failed';
  }
  return build(
    {
      type: FailureType.HubSpotTransient,
      retryable: true,
      message: `${summary}${code ? ` (${code})` : ''}: ${message}`,
      details: { transport: true, ...(code ? { code } : {}) },
      cause: causeOf(undefined, ctx, code ?? name),
    },
    ctx,
  );
}

/** A 2xx body that does not match its schema: HubSpot changed, or we have a bug. Never retried. */
export function badResponse(status: number, error: z.ZodError, ctx: ClassifyContext = {}): HubSpotError {
  // Paths and zod's messages only: zod does not echo received values, so a token in the body cannot leak.
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const more = error.issues.length > 5 ? ` (+${error.issues.length - 5} more)` : '';
  return build(
    {
      type: FailureType.HubSpotBadResponse,
      retryable: false,
      status,
      message: `HubSpot ${status} answer does not match the expected schema: ${issues.join('; ')}${more}`,
      details: { issues },
      cause: causeOf(status, ctx),
    },
    ctx,
  );
}

export function invalidInput(message: string, details?: Record<string, unknown>): HubSpotError {
  return new HubSpotError({ type: FailureType.InvalidInput, retryable: false, message, details });
}
