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
  return walk(value, secrets) as T;
}

function walk(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => walk(v, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, secrets)]));
  }
  return value;
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
