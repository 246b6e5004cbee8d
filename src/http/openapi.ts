/**
 * `GET /openapi.json`: an OpenAPI 3.1 document of this service's HTTP API. Request bodies and parameters come from
 * the very zod schemas the routes parse with (src/client/schemas.ts and friends), so the document cannot drift from
 * what the server checks; answers are described in openapi-answers.ts. test/http/openapi.test.ts holds the document
 * against the routes the server really registers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../project-paths.js';
import { answerSchemas, paths, requestSchemas } from './openapi-paths.js';
import { openApiSchema, type JsonSchema } from './openapi-schema.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function openApiDocument(): JsonSchema {
  const schemas = {
    ...Object.fromEntries(Object.entries(requestSchemas).map(([name, s]) => [name, openApiSchema(s, 'input')])),
    ...Object.fromEntries(Object.entries(answerSchemas).map(([name, s]) => [name, openApiSchema(s, 'output')])),
  };
  return {
    openapi: '3.1.1',
    info: {
      title: 'HubSpot Lead Sync',
      version: version(),
      description:
        "Keeps a backend's leads and its HubSpot portal in step. Writes answer 202 once Temporal has the event.",
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'LEADSYNC_API_KEY. Without one set, only clients on the same machine are served.',
        },
      },
    },
  };
}

/**
 * Served without the API key: the document is the same for every deployment (no portal id, no codec capability
 * path, nothing from the configuration) and says no more than the README does, while tools that read it (code
 * generators, API browsers) seldom send credentials.
 */
export function registerOpenApi(app: FastifyInstance): void {
  const text = JSON.stringify(openApiDocument());
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(text));
}
