/**
 * Secrets (bearer tokens, client secret, refresh tokens, codes) must never reach an error message, a log
 * line or a thrown object's fields, because those end up in Temporal histories and the Web UI.
 * HubSpot does not normally echo them, but a proxy or a future error body might; this is the last guard.
 */
const REDACTED = '[redacted]';
// Shorter strings would also match ordinary words; no real secret is this short.
const MIN_SECRET_LENGTH = 6;

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return out;
}

export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return walk(
    value,
    (text) => redactText(text, secrets),
    () => false,
  ) as T;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/**
 * What HubSpot's credentials look like, so they are caught wherever they turn up, whatever the field or the text
 * around them. Private-app tokens (`pat-na1-<uuid>`), refresh tokens and authorization codes (`na1-<uuid>`) carry
 * a region before a UUID; a bare UUID is left alone, since event and correlation ids look the same.
 */
const REGIONAL_TOKEN = new RegExp(`\\b(?:pat-)?[a-z]{2,3}\\d{1,2}-${UUID}\\b`, 'gi');
/**
 * OAuth access tokens are opaque base64url: HubSpot's documented example has 68 characters, live ones and the
 * sandbox's (161) have more. Hex digests and UUIDs never mix upper and lower case, so a sha256 or sha512 event id in
 * hex stays readable.
 */
const OPAQUE_TOKEN = /[\w-]{60,}/g;
const isOpaqueToken = (run: string) => /[a-z]/.test(run) && /[A-Z]/.test(run);
/** Whatever shape the static token has, a bearer header quoted in a message shows it. */
const BEARER = /\b(Bearer\s+)[^\s"',;]+/gi;

/** `text` with every token-shaped part replaced. */
export function redactTokenShapes(text: string): string {
  return text
    .replace(BEARER, `$1${REDACTED}`)
    .replace(REGIONAL_TOKEN, REDACTED)
    .replace(OPAQUE_TOKEN, (run) => (isOpaqueToken(run) ? REDACTED : run));
}

export interface SecretMasking {
  /** Fields whose string values are credentials whatever they look like (see src/shared/secret-fields.ts). */
  fields: ReadonlySet<string>;
  /** Known secret values, such as the configured client secret. */
  secrets?: readonly string[];
}

/**
 * A copy of a JSON-like value with its credentials masked, by the field that holds them and by what they look
 * like. Only plain objects and arrays are walked: anything else (an Error, a Buffer) is returned as it is.
 */
export function maskSecrets<T>(value: T, masking: SecretMasking): T {
  const text = (s: string) => redactText(redactTokenShapes(s), masking.secrets ?? []);
  return walk(value, text, (key, v) => typeof v === 'string' && masking.fields.has(key)) as T;
}

function walk(value: unknown, text: (s: string) => string, secretField: (key: string, v: unknown) => boolean): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, text, secretField));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, secretField(k, v) ? REDACTED : walk(v, text, secretField)]),
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const SECRET_QUERY_KEYS = /token|secret|code|key|password|assertion/i;

/** A URL fit for an error's cause: secret-looking query values removed. */
export function sanitizeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_QUERY_KEYS.test(key)) parsed.searchParams.set(key, REDACTED);
    }
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.split('?')[0] ?? '';
  }
}
