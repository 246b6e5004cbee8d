import got from 'got';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import type { HubSpotError, Tokens } from './wire-types.js';

export interface Answer<T> {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  form?: Record<string, string>;
  searchParams?: Record<string, string>;
}

/** One HTTP call to the sandbox over a real socket; JSON bodies come back parsed, errors as answers. */
export async function call<T = HubSpotError>(
  sandbox: Sandbox,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: CallOptions = {},
): Promise<Answer<T>> {
  const response = await got(`${sandbox.baseUrl}${path}`, {
    method,
    throwHttpErrors: false,
    followRedirect: false,
    retry: { limit: 0 },
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.json !== undefined ? { json: options.json } : {}),
    ...(options.form ? { form: options.form } : {}),
    ...(options.searchParams ? { searchParams: options.searchParams } : {}),
  });
  const contentType = String(response.headers['content-type'] ?? '');
  const body: unknown =
    contentType.includes('json') && response.body !== '' ? JSON.parse(response.body) : response.body;
  return { statusCode: response.statusCode, headers: response.headers, body: body as T };
}

export async function open(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ recordExchanges: true, ...options });
}

/** An access token of an install that granted only `scope`: the authorize page, then the code exchange. */
export async function accessTokenWithScope(sandbox: Sandbox, scope: string): Promise<string> {
  const redirect = 'http://127.0.0.1:9/cb';
  const authorize = await call(sandbox, 'GET', '/oauth/authorize', {
    searchParams: { client_id: sandbox.clientId, redirect_uri: redirect, scope },
  });
  const code = new URL(String(authorize.headers.location)).searchParams.get('code') ?? '';
  const tokens = await call<Tokens>(sandbox, 'POST', '/oauth/2026-03/token', {
    form: {
      grant_type: 'authorization_code',
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      redirect_uri: redirect,
      code,
    },
  });
  return tokens.body.access_token;
}

/** An OAuth access token obtained the way an installed app would: refresh grant on the date-based endpoint. */
export async function oauthAccessToken(sandbox: Sandbox): Promise<string> {
  const answer = await call<Tokens>(sandbox, 'POST', '/oauth/2026-03/token', {
    form: {
      grant_type: 'refresh_token',
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      refresh_token: sandbox.issueRefreshToken(),
    },
  });
  if (answer.statusCode !== 200) throw new Error(`token grant failed with ${answer.statusCode}`);
  return answer.body.access_token;
}

export const CONTACTS_2026 = '/crm/objects/2026-03/contacts';
export const CONTACTS_V3 = '/crm/v3/objects/contacts';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
