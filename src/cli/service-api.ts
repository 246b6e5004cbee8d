import got, { HTTPError, RequestError, type Got } from 'got';
import { CliError, ExitCode } from './exit-codes.js';

export interface ServiceSettings {
  /** LEADSYNC_URL, default http://localhost:3000. */
  url: string;
  /** LEADSYNC_API_KEY; without one the service serves loopback clients only. */
  apiKey?: string;
}

export function serviceSettings(env: NodeJS.ProcessEnv = process.env): ServiceSettings {
  const url = (env.LEADSYNC_URL?.trim() || 'http://localhost:3000').replace(/\/+$/, '');
  const apiKey = env.LEADSYNC_API_KEY?.trim() || undefined;
  return { url, apiKey };
}

interface ErrorBody {
  message?: string;
  issues?: Array<{ field: string; message: string }>;
}

/**
 * The service's HTTP API as the CLI calls it. Connection failures and 5xx answers are retried a few times (every
 * write the CLI sends carries an event id, so a repeat changes nothing); what is left becomes a CliError.
 */
export class ServiceApi {
  private readonly http: Got;

  constructor(readonly settings: ServiceSettings) {
    this.http = got.extend({
      prefixUrl: settings.url,
      headers: settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {},
      responseType: 'json',
      timeout: { request: 60_000 },
      retry: {
        // About five seconds of a restarting service, then the command says it cannot reach it.
        limit: 3,
        backoffLimit: 2_000,
        methods: ['GET', 'POST', 'PATCH', 'DELETE'],
        statusCodes: [502, 503, 504],
        errorCodes: ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'],
      },
    });
  }

  async get<T>(path: string, searchParams?: Record<string, string | undefined>): Promise<T> {
    return this.call(() => this.http.get(path, { searchParams: defined(searchParams) }).json<T>());
  }

  async post<T>(path: string, json?: object): Promise<T> {
    return this.call(() => this.http.post(path, json ? { json } : {}).json<T>());
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw this.explain(err);
    }
  }

  private explain(err: unknown): unknown {
    if (err instanceof HTTPError) {
      const status = err.response.statusCode;
      const body = (err.response.body ?? {}) as ErrorBody;
      const detail = body.issues?.length
        ? body.issues.map((i) => `${i.field}: ${i.message}`).join('; ')
        : (body.message ?? err.message);
      if (status === 401 || status === 403) {
        return new CliError(
          `the service refused the API key (${status}): ${detail}; check LEADSYNC_API_KEY`,
          ExitCode.unauthorized,
        );
      }
      if (status === 404) return new CliError(detail, ExitCode.notFound);
      if (status >= 400 && status < 500) return new CliError(detail, ExitCode.usage);
      return new CliError(`the service answered ${status}: ${detail}`, ExitCode.unavailable);
    }
    if (err instanceof RequestError) {
      return new CliError(
        `cannot reach the service at ${this.settings.url} (${err.code}); is it running? (LEADSYNC_URL)`,
        ExitCode.unavailable,
      );
    }
    return err;
  }
}

function defined(params: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(params ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A path segment for an email: `@` and `+` are legal in URLs but are encoded anyway, like any other caller would. */
export function leadPath(email: string, rest = ''): string {
  return `v1/leads/${encodeURIComponent(email)}${rest}`;
}
