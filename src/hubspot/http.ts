/**
 * The one place that talks HTTP. Every request takes a budget slot, carries a timeout, and is tried
 * exactly once: Temporal is the only retry layer, so got's retries are off and HTTP errors come back as
 * answers to classify rather than as got's HTTPError (which holds the request headers, token included).
 */
import got from 'got';
import type { z } from 'zod';
import { badResponse, classifyResponse, classifyTransportError, invalidInput, type ClassifyContext } from './errors.js';
import type { BudgetKind, RateBudget } from './rate-budget.js';

export interface TokenProvider {
  getAccessToken(): Promise<string>;
}

/** The subset of a pino logger the client uses; request lines carry no paths (they hold emails). */
export interface HubSpotLogger {
  debug(obj: object, msg: string): void;
}

export interface CallOptions {
  /** Aborts the wait for a budget slot and the request (e.g. the activity's cancellation signal). */
  signal?: AbortSignal;
}

export interface HttpOptions {
  baseUrl: string;
  timeoutMs: number;
  budget: RateBudget;
  tokenProvider?: TokenProvider;
  /** Portal time zone for daily-limit resets; UTC when unknown. */
  timeZone?: string;
  logger?: HubSpotLogger;
  userAgent?: string;
}

export interface HttpRequest<T> {
  /** Short operation name for logs, e.g. `contacts.batchUpsert`. */
  op: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | readonly string[] | undefined>;
  json?: unknown;
  /** Sent `application/x-www-form-urlencoded` (the OAuth endpoints). */
  form?: Record<string, string | undefined>;
  /** `bearer` sends the provider's token; the OAuth endpoints authenticate with body fields instead. */
  auth: 'bearer' | 'none';
  budget: BudgetKind | 'none';
  /** Schema of the 2xx body; without one the body is ignored (204 answers). */
  schema?: z.ZodType<T>;
  /** Extra values to scrub from errors (client secret, refresh token, code). */
  secrets?: readonly string[];
  grantType?: ClassifyContext['grantType'];
  signal?: AbortSignal;
}

export interface HttpResult<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface Http {
  send<T>(req: HttpRequest<T>): Promise<HttpResult<T>>;
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function buildUrl(baseUrl: string, path: string, query: HttpRequest<unknown>['query']): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    // The specs declare array parameters as `form`/`explode`: one `key=value` pair per item.
    for (const item of typeof value === 'string' ? [value] : value) url.searchParams.append(key, item);
  }
  return url.toString();
}

export function createHttp(options: HttpOptions): Http {
  const client = got.extend({
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    timeout: { request: options.timeoutMs },
    headers: { accept: 'application/json', 'user-agent': options.userAgent ?? 'hubspot-lead-sync' },
  });

  return {
    async send<T>(req: HttpRequest<T>): Promise<HttpResult<T>> {
      const url = buildUrl(options.baseUrl, req.path, req.query);
      const secrets: string[] = [...(req.secrets ?? [])];
      const ctx = (): ClassifyContext => ({
        now: Date.now(),
        secrets,
        request: { method: req.method, url },
        grantType: req.grantType,
        timeZone: options.timeZone,
      });

      const started = Date.now();
      if (req.budget !== 'none') await options.budget.acquire(req.budget, req.signal);
      const waitedMs = Date.now() - started;

      const headers: Record<string, string> = {};
      if (req.auth === 'bearer') {
        if (!options.tokenProvider) throw invalidInput(`HubSpot client has no token provider for ${req.op}`);
        const token = await options.tokenProvider.getAccessToken();
        secrets.push(token);
        headers.authorization = `Bearer ${token}`;
      }
      const form =
        req.form &&
        (Object.fromEntries(Object.entries(req.form).filter(([, v]) => v !== undefined)) as Record<string, string>);

      let response;
      try {
        response = await client(url, {
          method: req.method,
          headers,
          ...(req.json !== undefined ? { json: req.json } : {}),
          ...(form ? { form } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        });
      } catch (err) {
        options.logger?.debug({ op: req.op, method: req.method, waitedMs, error: 'transport' }, 'hubspot request');
        throw classifyTransportError(err, ctx());
      }

      const { statusCode: status } = response;
      const resHeaders = response.headers;
      options.logger?.debug(
        { op: req.op, method: req.method, status, durationMs: Date.now() - started, waitedMs },
        'hubspot request',
      );
      if (req.budget === 'api') options.budget.observe(resHeaders);

      if (status >= 200 && status < 300) {
        if (!req.schema) return { status, headers: resHeaders, body: undefined as T };
        const parsed = req.schema.safeParse(parseBody(response.body));
        if (!parsed.success) throw badResponse(status, parsed.error, ctx());
        return { status, headers: resHeaders, body: parsed.data };
      }

      const kind = req.budget === 'none' ? undefined : req.budget;
      const windowRemainingMs = kind ? options.budget.windowRemainingMs(kind) : undefined;
      const error = classifyResponse(
        { status, headers: resHeaders, body: parseBody(response.body) },
        { ...ctx(), windowRemainingMs },
      );
      if (status === 429 && kind) {
        // Held no longer than one window: a DAILY reset hours away is for Temporal's retry to wait out, not for
        // every other call in the process to hang on.
        const { intervalMs } = options.budget.state(kind);
        options.budget.saturate(kind, Math.min(error.retryAfterMs ?? intervalMs, intervalMs));
      }
      throw error;
    },
  };
}
