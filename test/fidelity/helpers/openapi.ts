/**
 * HubSpot's OpenAPI documents, read from disk at test time and compiled with ajv: operation lookup by method and
 * path template, and schema checks of parameters, request bodies and response bodies. This module reports what the
 * documents say, deviations included; the deviations we accept live in `exchange-validator.ts`, next to the only
 * code that applies them.
 *
 * The documents are HubSpot's, not ours, so they are never copied into the repo: they are read from
 * `HUBSPOT_OPENAPI_DIR`, by default `../shared/hubspot-openapi` beside the repository root.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { projectRoot } from '../../../src/project-paths.js';

export const SPEC_DIR_ENV = 'HUBSPOT_OPENAPI_DIR';

export const SPEC_FILES = [
  'crm-contacts-2026-03.json',
  'crm-contacts-v3.json',
  'communication-preferences-2026-03.json',
  'communication-preferences-v3.json',
  'oauth-2026-03.json',
  'oauth-v1.json',
] as const;

export function specDir(): string {
  const fromEnv = process.env[SPEC_DIR_ENV];
  return fromEnv && fromEnv.trim() !== ''
    ? path.resolve(fromEnv)
    : path.resolve(projectRoot, '..', 'shared', 'hubspot-openapi');
}

/** The spec directory, or an error that says which variable to set. Called from each suite's `before`. */
export function requireSpecDir(): string {
  const dir = specDir();
  const missing = SPEC_FILES.filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length > 0) {
    const how = process.env[SPEC_DIR_ENV] ? `${SPEC_DIR_ENV}=${process.env[SPEC_DIR_ENV]}` : `${SPEC_DIR_ENV} is unset`;
    throw new Error(
      `HubSpot OpenAPI documents not found in ${dir} (${how}; missing ${missing.join(', ')}). ` +
        `Set ${SPEC_DIR_ENV} to the directory holding HubSpot's spec files (default ../shared/hubspot-openapi).`,
    );
  }
  return dir;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: unknown;
  $ref?: string;
}
interface ResponseObject {
  content?: Record<string, { schema?: unknown }>;
  $ref?: string;
}
interface OperationObject {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }>; $ref?: string };
  responses: Record<string, ResponseObject>;
}
interface SpecDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { parameters?: Record<string, Parameter>; responses?: Record<string, ResponseObject> };
}

export interface Operation {
  file: string;
  method: string;
  template: string;
  op: OperationObject;
  /** Path parameters of the concrete path, decoded. */
  pathParams: Record<string, string>;
  /** `POST /crm/objects/2026-03/contacts/batch/upsert (crm-contacts-2026-03.json)` */
  label: string;
}

/** One disagreement between a message and the document; `error` is ajv's, when ajv found it. */
export interface Problem {
  operation: string;
  /** `request body`, `response 207 body`, `query`, `path`, `request`, `response`. */
  location: string;
  /** JSON pointer into the checked value ('' is the whole value). */
  pointer: string;
  message: string;
  error?: ErrorObject;
}

export const formatProblem = (p: Problem): string =>
  `${p.operation}: ${p.location} at ${JSON.stringify(p.pointer || '/')}: ${p.message}`;

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const fragment = (...segments: string[]): string =>
  '#/' + segments.map((s) => encodeURIComponent(escapePointer(s))).join('/');

/** True when `a` has a literal where `b` has a parameter, at the first segment where they differ. */
function literalFirst(a: number[], b: number[]): boolean {
  const i = a.findIndex((s, n) => s !== b[n]);
  return i !== -1 && a[i] === 1;
}

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

function newAjv(coerceTypes: false | 'array'): Ajv {
  // `strict: false`: the documents carry OpenAPI keywords (`example`, `nullable`, `discriminator`...) that are not
  // JSON Schema; `verbose` keeps the offending value on each error so deviations can be judged on it.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, coerceTypes });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  return ajv;
}

export interface Specs {
  dir: string;
  /** The operation for a concrete method and path (raw, percent-encoded); literal segments beat `{params}`. */
  find(method: string, rawPath: string): Operation | undefined;
  /** Required path and query parameters present, no undeclared query parameters, values matching their schemas. */
  checkParameters(operation: Operation, query: Record<string, string>): Problem[];
  /** `body`: the parsed JSON, or for form bodies the fields as an object; undefined when nothing was sent. */
  checkRequestBody(operation: Operation, contentType: string | undefined, body: unknown): Problem[];
  /** The response schema for `status` (or `default`); a body where none is declared, or none where one is. */
  checkResponse(operation: Operation, status: number, contentType: string | undefined, body: unknown): Problem[];
}

export function loadSpecs(dir: string = requireSpecDir()): Specs {
  const ajv = newAjv(false);
  const paramAjv = newAjv('array');
  const docs = SPEC_FILES.map((file) => {
    const doc = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as SpecDocument;
    const id = `https://hubspot-openapi.test/${file}`;
    ajv.addSchema(doc, id);
    paramAjv.addSchema(doc, id);
    const templates = Object.keys(doc.paths).map((template) => ({
      template,
      segments: template.split('/'),
    }));
    return { file, id, doc, templates };
  });
  const byFile = new Map<string, (typeof docs)[number]>(docs.map((d) => [d.file, d]));
  const idOf = (operation: Operation): string => byFile.get(operation.file)?.id ?? '';

  const compiled = new Map<string, ValidateFunction>();
  const validator = (instance: Ajv, ref: string): ValidateFunction => {
    const key = `${instance === ajv ? 'body' : 'param'} ${ref}`;
    let fn = compiled.get(key);
    if (!fn) {
      fn = instance.compile({ $ref: ref });
      compiled.set(key, fn);
    }
    return fn;
  };
  const problemsOf = (fn: ValidateFunction, operation: Operation, location: string, prefix = ''): Problem[] =>
    (fn.errors ?? []).map((error) => ({
      operation: operation.label,
      location,
      pointer: prefix + error.instancePath,
      message: error.message ?? error.keyword,
      error,
    }));

  function find(method: string, rawPath: string): Operation | undefined {
    const m = method.toLowerCase();
    const segments = rawPath.split('/');
    let best: { op: Operation; score: number[] } | undefined;
    for (const { file, doc, templates } of docs) {
      for (const { template, segments: tpl } of templates) {
        const op = doc.paths[template]?.[m];
        if (!op || tpl.length !== segments.length) continue;
        const pathParams: Record<string, string> = {};
        const score: number[] = [];
        let matches = true;
        for (const [i, part] of tpl.entries()) {
          const actual = segments[i] ?? '';
          const param = /^\{(.+)\}$/.exec(part);
          if (param?.[1]) {
            if (actual === '') matches = false;
            pathParams[param[1]] = decodeURIComponent(actual);
            score.push(0);
          } else if (part === actual) {
            score.push(1);
          } else {
            matches = false;
          }
          if (!matches) break;
        }
        if (!matches) continue;
        // Prefer the template whose first differing segment is literal: `/contacts/search` over `/{objectType}/...`.
        if (!best || literalFirst(score, best.score)) {
          const label = `${method.toUpperCase()} ${template} (${file})`;
          best = { op: { file, method: method.toUpperCase(), template, op, pathParams, label }, score };
        }
      }
    }
    return best?.op;
  }

  const parameterOf = (file: string, p: Parameter): Parameter => {
    if (!p.$ref) return p;
    const name = p.$ref.split('/').pop() ?? '';
    const resolved = byFile.get(file)?.doc.components?.parameters?.[name];
    if (!resolved) throw new Error(`${file}: unresolvable parameter ${p.$ref}`);
    return resolved;
  };

  function checkParameters(operation: Operation, query: Record<string, string>): Problem[] {
    const problems: Problem[] = [];
    const params = (operation.op.parameters ?? []).map((p) => parameterOf(operation.file, p));
    const index = operation.op.parameters ?? [];
    for (const [n, p] of params.entries()) {
      if (p.in !== 'path' && p.in !== 'query') continue;
      const location = p.in;
      const value = p.in === 'path' ? operation.pathParams[p.name] : query[p.name];
      if (value === undefined || value === '') {
        if (p.required || p.in === 'path') {
          problems.push({
            operation: operation.label,
            location,
            pointer: `/${escapePointer(p.name)}`,
            message: `required ${p.in} parameter "${p.name}" is missing`,
          });
        }
        continue;
      }
      if (!p.schema) continue;
      const own = index[n]?.$ref;
      const where = own
        ? fragment(...own.replace(/^#\//, '').split('/'), 'schema')
        : fragment('paths', operation.template, operation.method.toLowerCase(), 'parameters', String(n), 'schema');
      const fn = validator(paramAjv, `${idOf(operation)}${where}`);
      // Query arrays travel as `a,b` (explode=false); ajv's `coerceTypes: 'array'` wraps a single value.
      const data = p.in === 'query' && value.includes(',') ? value.split(',') : value;
      if (!fn(data)) problems.push(...problemsOf(fn, operation, location, `/${escapePointer(p.name)}`));
    }
    const declared = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
    for (const key of Object.keys(query)) {
      if (!declared.has(key)) {
        problems.push({
          operation: operation.label,
          location: 'query',
          pointer: `/${escapePointer(key)}`,
          message: `query parameter "${key}" is not declared`,
        });
      }
    }
    return problems;
  }

  function checkRequestBody(operation: Operation, contentType: string | undefined, body: unknown): Problem[] {
    const declared = operation.op.requestBody;
    const sent = body !== undefined && body !== '';
    if (!declared) {
      return sent
        ? [
            {
              operation: operation.label,
              location: 'request body',
              pointer: '',
              message: 'the operation takes no body',
            },
          ]
        : [];
    }
    if (!sent) {
      return declared.required
        ? [{ operation: operation.label, location: 'request body', pointer: '', message: 'required body is missing' }]
        : [];
    }
    const types = Object.keys(declared.content);
    const type = types.find((t) => contentType?.toLowerCase().startsWith(t));
    if (!type) {
      return [
        {
          operation: operation.label,
          location: 'request',
          pointer: '',
          message: `content-type ${contentType ?? '(none)'} is not one of ${types.join(', ')}`,
        },
      ];
    }
    const fn = validator(
      ajv,
      `${idOf(operation)}${fragment('paths', operation.template, operation.method.toLowerCase(), 'requestBody', 'content', type, 'schema')}`,
    );
    return fn(body) ? [] : problemsOf(fn, operation, 'request body');
  }

  function checkResponse(
    operation: Operation,
    status: number,
    contentType: string | undefined,
    body: unknown,
  ): Problem[] {
    const key = operation.op.responses[String(status)] ? String(status) : 'default';
    let response = operation.op.responses[key];
    let schemaPath = ['paths', operation.template, operation.method.toLowerCase(), 'responses', key];
    const location = `response ${status} body`;
    if (!response) {
      return [
        {
          operation: operation.label,
          location: 'response',
          pointer: '',
          message: `status ${status} is not declared and there is no default`,
        },
      ];
    }
    if (response.$ref) {
      const name = response.$ref.split('/').pop() ?? '';
      response = byFile.get(operation.file)?.doc.components?.responses?.[name];
      schemaPath = ['components', 'responses', name];
      if (!response) throw new Error(`${operation.file}: unresolvable response ${name}`);
    }
    const types = Object.keys(response.content ?? {});
    const sent = body !== undefined && body !== '';
    if (types.length === 0) {
      return sent
        ? [{ operation: operation.label, location, pointer: '', message: `status ${status} (${key}) declares no body` }]
        : [];
    }
    if (!sent) {
      return [
        {
          operation: operation.label,
          location,
          pointer: '',
          message: `status ${status} (${key}) declares a body; none came`,
        },
      ];
    }
    const type =
      types.find((t) => contentType?.toLowerCase().startsWith(t)) ?? types.find((t) => t === '*/*') ?? types[0] ?? '';
    const fn = validator(ajv, `${idOf(operation)}${fragment(...schemaPath, 'content', type, 'schema')}`);
    return fn(body) ? [] : problemsOf(fn, operation, location);
  }

  return { dir, find, checkParameters, checkRequestBody, checkResponse };
}
