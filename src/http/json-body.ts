import type { FastifyInstance } from 'fastify';
import { LeadInputError } from '../client/schemas.js';

/**
 * JSON bodies for the whole API, where an empty body with `content-type: application/json` (what many HTTP clients
 * send on a DELETE or a body-less POST) means no body rather than a 400. Plain text has no parser, so it is refused
 * with a 415 like any other type. Registered as a pattern, not the 'application/json' name: a route scope that needs
 * the raw bytes (HubSpot's signed webhooks) may still claim that name for itself.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/json\s*(;|$)/i, { parseAs: 'string' }, (request, raw, done) => {
    const text = raw as string;
    if (text.length === 0) return done(null, undefined);
    // The default parser answers through the callback; its declared type also admits promise-returning parsers.
    void parseJson(request, text, (err, value) => {
      if (!err) return done(null, value);
      done(new LeadInputError([{ field: '(body)', message: refusal(text) }]), undefined);
    });
  });
}

/** Why the default parser refused a body: broken JSON, or keys that could poison prototypes. */
function refusal(text: string): string {
  try {
    JSON.parse(text);
    return 'must not contain __proto__ or constructor.prototype keys';
  } catch {
    return 'must be valid JSON';
  }
}
