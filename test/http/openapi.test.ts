import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, RouteOptions } from 'fastify';
import got, { type Response } from 'got';
import { projectRoot } from '../../src/project-paths.js';
import { connectTemporal } from '../helpers/temporal.js';
import { eventually, startTestService, type TestService } from '../helpers/service.js';

const API_KEY = 'openapi-test-key-0123456789abcdef';
const DOC_ID = 'https://leadsync.test/openapi.json';
/** The fields of an OpenAPI 3.1 document's root object. */
const OPENAPI_FIELDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: object }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  security?: Array<Record<string, string[]>>;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, object>; securitySchemes: Record<string, { type: string; scheme?: string }> };
}

/**
 * Routes the document leaves out on purpose. HEAD: Fastify adds one beside every GET, answering like it without a
 * body. OPTIONS: the codec endpoint's CORS preflights for the Web UI. `/codec/ui/{capability}/…`: the Web UI's own
 * codec path, whose segment is derived from this deployment's API key, while the document is the same everywhere.
 */
const leftOut = (method: string, template: string) =>
  method === 'head' || method === 'options' || template.startsWith('/codec/ui/');

/** `/v1/leads/:email` as OpenAPI writes it. */
const template = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/** JSON pointer into the document, as a URI fragment. */
const pointer = (...segments: string[]) =>
  `${DOC_ID}#/${segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')}`;

/** The fields a document schema refuses, named as the API names them (`properties.firstname`, `email`). */
function fieldsOf(errors: ErrorObject[] | null | undefined): string[] {
  const fields = (errors ?? []).map((e) => {
    const at = e.instancePath.split('/').slice(1);
    const params = e.params as { missingProperty?: string; additionalProperty?: string; propertyName?: string };
    const own = params.missingProperty ?? params.additionalProperty ?? e.propertyName ?? params.propertyName;
    return [...at, ...(own === undefined ? [] : [own])].join('.');
  });
  return [...new Set(fields)].sort();
}

describe('GET /openapi.json, held against the routes the service really has', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let service: TestService;
  let api: typeof got;
  let doc: OpenApiDocument;
  let served: Response<string>;
  // Strict: a schema with a keyword JSON Schema 2020-12 does not know, or a $ref that resolves nowhere, fails here.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  // Query and path values are text: coerced to the parameter's type, as a server reads them.
  const paramAjv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, coerceTypes: true });
  for (const instance of [ajv, paramAjv]) {
    addFormats(instance);
    // The document is added whole, so its schemas can be reached by pointer: its own fields are not JSON Schema.
    instance.addVocabulary(OPENAPI_FIELDS);
  }
  const routesByApp = new Map<FastifyInstance, Array<{ method: string; url: string }>>();
  const recordRoutes = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    const routes: Array<{ method: string; url: string }> = [];
    routesByApp.set(fastify, routes);
    fastify.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) routes.push({ method: method.toLowerCase(), url: route.url });
    });
  };

  before(async () => {
    ({ env, close } = await connectTemporal());
    // Fastify announces every new instance on this channel before anything is registered on it.
    subscribe('fastify.initialization', recordRoutes);
    try {
      service = await startTestService({ temporalAddress: env.address, env: { LEADSYNC_API_KEY: API_KEY } });
    } finally {
      unsubscribe('fastify.initialization', recordRoutes);
    }
    api = got.extend({
      prefixUrl: service.httpUrl,
      headers: { authorization: `Bearer ${API_KEY}` },
      throwHttpErrors: false,
      retry: { limit: 0 },
    });
    served = await got(`${service.httpUrl}/openapi.json`, { throwHttpErrors: false, retry: { limit: 0 } });
    doc = JSON.parse(served.body) as OpenApiDocument;
    ajv.addSchema(doc, DOC_ID);
    paramAjv.addSchema(doc, DOC_ID);
  });
  after(async () => {
    await service?.stop();
    await close?.();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.flatMap((method) => (item[method] ? [{ method, path, operation: item[method] }] : [])),
    );
  const operation = (method: (typeof METHODS)[number], path: string) => {
    const found = doc.paths[path]?.[method];
    assert.ok(found, `the document has no ${method.toUpperCase()} ${path}`);
    return found;
  };
  const compiled = new Map<string, ValidateFunction>();
  const validator = (ref: string, instance = ajv) => {
    const key = `${instance === ajv ? 'body' : 'param'} ${ref}`;
    if (!compiled.has(key)) compiled.set(key, instance.compile({ $ref: ref }));
    return compiled.get(key)!;
  };
  /** The answer's status is one the operation lists, and its JSON body matches the schema listed for it. */
  const checkAnswer = (method: (typeof METHODS)[number], path: string, res: Response<string>) => {
    const status = String(res.statusCode);
    const content = operation(method, path).responses[status]?.content;
    assert.ok(content, `${method.toUpperCase()} ${path} answered ${status}, which the document does not list`);
    assert.ok(content['application/json'], `${method.toUpperCase()} ${path} ${status} is documented as JSON`);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const validate = validator(
      pointer('paths', path, method, 'responses', status, 'content', 'application/json', 'schema'),
    );
    assert.ok(validate(JSON.parse(res.body)), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`);
  };

  it('is an OpenAPI 3.1 document whose every schema compiles as strict JSON Schema 2020-12', () => {
    assert.equal(served.statusCode, 200);
    assert.match(String(served.headers['content-type']), /^application\/json/);
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(doc.info.title, 'HubSpot Lead Sync');
    assert.equal(doc.info.version, pkg.version);
    assert.equal(doc.components.securitySchemes.bearer?.type, 'http');
    assert.equal(doc.components.securitySchemes.bearer?.scheme, 'bearer');
    assert.deepEqual(doc.security, [{ bearer: [] }]);

    for (const name of Object.keys(doc.components.schemas)) validator(pointer('components', 'schemas', name));
    const ids = new Set<string>();
    for (const { method, path, operation: op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.operationId && !ids.has(op.operationId), `${where}: a missing or repeated operationId`);
      ids.add(op.operationId);
      assert.ok(Object.keys(op.responses).length > 0, `${where}: no responses`);
      for (const scheme of (op.security ?? []).flatMap(Object.keys)) assert.ok(doc.components.securitySchemes[scheme]);
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
      assert.deepEqual(pathParams.map((p) => p.name).sort(), inPath.sort(), `${where}: path parameters`);
      assert.ok(
        pathParams.every((p) => p.required === true),
        `${where}: path parameters are required`,
      );
      (op.parameters ?? []).forEach((_p, i) =>
        validator(pointer('paths', path, method, 'parameters', String(i), 'schema')),
      );
      for (const type of Object.keys(op.requestBody?.content ?? {})) {
        validator(pointer('paths', path, method, 'requestBody', 'content', type, 'schema'));
      }
      for (const [status, response] of Object.entries(op.responses)) {
        for (const type of Object.keys(response.content ?? {})) {
          validator(pointer('paths', path, method, 'responses', status, 'content', type, 'schema'));
        }
      }
    }
  });

  it('documents every route the service registers, and nothing it does not', () => {
    const app = [...routesByApp.keys()].find(
      (instance) => (instance.server.address() as AddressInfo | null)?.port === Number(new URL(service.httpUrl).port),
    );
    assert.ok(app, 'the HTTP API was seen being built');
    const registered = routesByApp
      .get(app)!
      .map((r) => ({ method: r.method, path: template(r.url) }))
      .filter((r) => !leftOut(r.method, r.path))
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    const documented = operations().map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    assert.ok(registered.includes('POST /v1/leads') && registered.includes('GET /openapi.json'));
    assert.deepEqual(
      {
        undocumented: registered.filter((r) => !documented.includes(r)),
        notServed: documented.filter((d) => !registered.includes(d)),
      },
      { undocumented: [], notServed: [] },
    );
    assert.equal(new Set(registered).size, registered.length);
  });

  it('is served without the API key, while every operation it says needs the key refuses a call without one', async () => {
    const anonymous = got.extend({ prefixUrl: service.httpUrl, throwHttpErrors: false, retry: { limit: 0 } });
    assert.equal((await anonymous.get('openapi.json')).statusCode, 200);
    const keyed = operations().filter(({ operation: op }) => {
      const security = op.security ?? doc.security ?? [];
      return security.length > 0 && security.every((s) => 'bearer' in s);
    });
    assert.ok(keyed.length >= 10, `only ${keyed.length} operations need the key`);
    for (const { method, path } of keyed) {
      const url = path.replace('{email}', 'nobody%40example.com').slice(1);
      const res = await anonymous(url, { method: method.toUpperCase() as 'GET' });
      assert.equal(res.statusCode, 401, `${method.toUpperCase()} ${path} without the key`);
      checkAnswer(method, path, res);
    }
  });

  it('accepts what its schemas accept and refuses, naming the same fields, what they refuse', async () => {
    const email = `openapi-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const cases: Array<{
      method: 'post' | 'patch' | 'get';
      path: string;
      body?: unknown;
      query?: Record<string, string>;
      refused?: string[];
    }> = [
      { method: 'post', path: '/v1/leads', body: { email, properties: { firstname: 'Ada' }, eventId: 'openapi:1' } },
      { method: 'post', path: '/v1/leads', body: { email: 123 }, refused: ['email'] },
      { method: 'post', path: '/v1/leads', body: { email, nickname: 'Ada' }, refused: ['nickname'] },
      { method: 'post', path: '/v1/leads', body: { email: 'ada at example.com' }, refused: ['email'] },
      {
        method: 'post',
        path: '/v1/leads',
        body: { email, properties: { FirstName: 'Ada' } },
        refused: ['properties.FirstName'],
      },
      {
        method: 'post',
        path: '/v1/leads',
        body: { email, properties: { firstname: {} } },
        refused: ['properties.firstname'],
      },
      { method: 'patch', path: '/v1/leads/{email}', body: { properties: { jobtitle: 'Analyst' } } },
      { method: 'patch', path: '/v1/leads/{email}', body: { eventId: 'openapi:2' }, refused: ['properties'] },
      { method: 'post', path: '/v1/leads/{email}/unsubscribe', body: { legalBasis: 'ASKED' }, refused: ['legalBasis'] },
      { method: 'get', path: '/v1/leads', query: { status: 'failed', pageSize: '5' } },
      { method: 'get', path: '/v1/leads', query: { pageSize: '0' }, refused: ['pageSize'] },
      { method: 'get', path: '/v1/leads', query: { status: 'lost' }, refused: ['status'] },
    ];
    for (const c of cases) {
      const where = `${c.method.toUpperCase()} ${c.path} ${JSON.stringify(c.body ?? c.query)}`;
      const op = operation(c.method, c.path);
      let byDocument: string[] = [];
      if (c.body !== undefined) {
        const validate = validator(
          pointer('paths', c.path, c.method, 'requestBody', 'content', 'application/json', 'schema'),
        );
        byDocument = validate(c.body) ? [] : fieldsOf(validate.errors);
      }
      if (c.query) {
        const params = (op.parameters ?? []).filter((p) => p.in === 'query');
        const validate = paramAjv.compile({
          type: 'object',
          properties: Object.fromEntries(
            params.map((p) => [
              p.name,
              { $ref: pointer('paths', c.path, c.method, 'parameters', String(op.parameters!.indexOf(p)), 'schema') },
            ]),
          ),
          required: params.filter((p) => p.required).map((p) => p.name),
          additionalProperties: false,
        });
        byDocument = validate({ ...c.query }) ? [] : fieldsOf(validate.errors);
      }
      assert.deepEqual(byDocument, c.refused ?? [], `the document's verdict on ${where}`);

      const url = c.path.replace('{email}', encodeURIComponent(email)).slice(1);
      const res = await api(url, {
        method: c.method.toUpperCase() as 'GET',
        ...(c.body === undefined ? {} : { json: c.body }),
        ...(c.query ? { searchParams: c.query } : {}),
      });
      checkAnswer(c.method, c.path, res);
      if (c.refused) {
        assert.equal(res.statusCode, 400, `${where}: ${res.body}`);
        const { issues } = JSON.parse(res.body) as { issues: Array<{ field: string }> };
        assert.deepEqual(
          [...new Set(issues.map((i) => i.field))].sort(),
          c.refused,
          `the endpoint's verdict on ${where}`,
        );
      } else {
        assert.ok(res.statusCode < 300, `${where}: ${res.statusCode} ${res.body}`);
      }
    }
  });

  it('describes what the read routes, the batch routes and the errors really answer', async () => {
    const email = `openapi-read-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const register = await api.post('v1/leads', { json: { email, eventId: 'openapi:read' } });
    checkAnswer('post', '/v1/leads', register);
    const lead = await eventually(
      async () => {
        const res = await api.get(`v1/leads/${encodeURIComponent(email)}`);
        const state = JSON.parse(res.body) as { status?: string; hubspotId?: string };
        return state.status === 'synced' && state.hubspotId ? res : undefined;
      },
      { what: `${email} to be synced` },
    );
    checkAnswer('get', '/v1/leads/{email}', lead);
    checkAnswer('get', '/v1/leads/{email}', await api.get('v1/leads/nobody%40example.com'));
    checkAnswer('get', '/v1/leads', await api.get('v1/leads', { searchParams: { pageSize: 10 } }));
    checkAnswer('get', '/v1/portals', await api.get('v1/portals'));
    checkAnswer('get', '/v1/connection', await api.get('v1/connection'));
    checkAnswer('get', '/healthz', await api.get('healthz'));
    checkAnswer('post', '/v1/oauth/install-link', await api.post('v1/oauth/install-link'));
    checkAnswer('post', '/v1/leads/{email}/resync', await api.post('v1/leads/nobody%40example.com/resync'));

    const batch = await api.post('v1/leads/batch', { json: { leads: [{ email }, { email: 'not an address' }] } });
    assert.equal(batch.statusCode, 202, batch.body);
    checkAnswer('post', '/v1/leads/batch', batch);
    const status = await api.post('v1/leads/batch/status', { json: { events: [{ email, eventId: 'openapi:read' }] } });
    checkAnswer('post', '/v1/leads/batch/status', status);

    const text = await api.post('v1/leads', {
      body: JSON.stringify({ email }),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.statusCode, 415);
    checkAnswer('post', '/v1/leads', text);
    const codec = await api.post('codec/decode', { json: { payloads: 'none' } });
    assert.equal(codec.statusCode, 400);
    checkAnswer('post', '/codec/decode', codec);
  });
});
