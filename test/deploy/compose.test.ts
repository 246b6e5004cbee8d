/**
 * Static checks of the container deployment: docker-compose.yml, Dockerfile, .dockerignore and deploy/.
 * No Docker engine is needed. The compose file is validated against the Compose Specification schema that
 * dclint ships and linted by dclint; the rest are structural assertions tied to the code (src/config.ts,
 * the search attributes, the routes). The deploy scripts are parsed with `sh -n` and run against stubs of
 * `temporal-sql-tool` / `temporal`, and create-namespace.sh also against a real Temporal dev server (the
 * CLI found or installed the way the test harness finds it).
 *
 *   npx tsx --test test/deploy/compose.test.ts
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseDocument } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { codecCapability } from '../../src/http/auth.js';
import { defaultCacheDir, projectRoot } from '../../src/project-paths.js';
import { searchAttributeKeys } from '../../src/shared/search-attributes.js';
import { resolveTemporalCli } from '../../src/temporal/cli.js';
import { generateKeyString, parseEncryptionKeys } from '../../src/temporal/keys.js';

type Dict = Record<string, unknown>;

interface DclintModule {
  DCLinter: new (config: { rules: Record<string, number>; quiet: boolean; debug: boolean; exclude: string[] }) => {
    lintFiles(
      paths: string[],
      recursive: boolean,
    ): Array<{ messages: Array<{ rule: string; type: string; message: string; line: number; column: number }> }>;
  };
}

const composePath = path.join(projectRoot, 'docker-compose.yml');
const deployDir = path.join(projectRoot, 'deploy');
const temporalDeployDir = path.join(deployDir, 'temporal');

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dict(value: unknown, where: string): Dict {
  assert.ok(isDict(value), `${where}: expected a mapping`);
  return value;
}

function list(value: unknown, where: string): unknown[] {
  assert.ok(Array.isArray(value), `${where}: expected a sequence`);
  return value;
}

function text(value: unknown, where: string): string {
  assert.ok(typeof value === 'string' || typeof value === 'number', `${where}: expected a scalar`);
  return String(value);
}

function readProjectFile(relative: string): string {
  return readFileSync(path.join(projectRoot, relative), 'utf8');
}

/** The compose file as Compose reads it: YAML 1.1 merge keys (`<<: *anchor`) resolved. */
function loadCompose(): Dict {
  const doc = parseDocument(readFileSync(composePath, 'utf8'), { merge: true });
  assert.deepEqual(
    doc.errors.map((e) => e.message),
    [],
    'docker-compose.yml is not valid YAML',
  );
  return dict(doc.toJS(), 'docker-compose.yml');
}

class MissingVariableError extends Error {
  constructor(readonly variable: string) {
    super(`required variable ${variable} is not set`);
  }
}

const VARIABLE = /\$\$|\$\{([A-Za-z_]\w*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g;

/** Compose's interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`. */
function interpolateText(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    VARIABLE,
    (match: string, braced?: string, colon?: string, op?: string, arg?: string, bare?: string): string => {
      if (match === '$$') return '$';
      const name = braced ?? bare ?? '';
      const current = vars[name];
      const unset = current === undefined || (colon === ':' && current === '');
      if (op === '-') return unset ? (arg ?? '') : (current ?? '');
      if (op === '?') {
        if (unset) throw new MissingVariableError(name);
        return current ?? '';
      }
      return current ?? '';
    },
  );
}

function interpolate(node: unknown, vars: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolateText(node, vars);
  if (Array.isArray(node)) return node.map((item) => interpolate(item, vars));
  if (isDict(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolate(v, vars)]));
  return node;
}

/** Every `${...}` reference in the file's values, with its operator (`:-`, `:?`, ...). */
function variableReferences(node: unknown, found = new Map<string, Set<string>>()): Map<string, Set<string>> {
  if (typeof node === 'string') {
    for (const m of node.matchAll(VARIABLE)) {
      const name = m[1] ?? m[5];
      if (!name) continue;
      const ops = found.get(name) ?? new Set<string>();
      ops.add(`${m[2] ?? ''}${m[3] ?? ''}`);
      found.set(name, ops);
    }
  } else if (Array.isArray(node)) {
    for (const item of node) variableReferences(item, found);
  } else if (isDict(node)) {
    for (const value of Object.values(node)) variableReferences(value, found);
  }
  return found;
}

const sampleEncryptionKey = generateKeyString();
const sampleApiKey = 'compose-test-api-key-0123456789';
/** What a user minimally provides (in the environment or .env). */
const requiredVars = { LEADSYNC_ENCRYPTION_KEY: sampleEncryptionKey, LEADSYNC_API_KEY: sampleApiKey };

function services(compose: Dict): Record<string, Dict> {
  const all = dict(compose.services, 'services');
  return Object.fromEntries(Object.entries(all).map(([name, s]) => [name, dict(s, `services.${name}`)]));
}

function service(compose: Dict, name: string): Dict {
  const found = services(compose)[name];
  assert.ok(found, `service ${name} is missing`);
  return found;
}

function environment(svc: Dict, where: string): Record<string, string> {
  const env = svc.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const line = text(entry, `${where}.environment`);
        const eq = line.indexOf('=');
        return eq < 0 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(dict(env, `${where}.environment`)).map(([k, v]) => [k, v === null ? '' : text(v, `${where}.${k}`)]),
  );
}

function dependsOn(svc: Dict, where: string): Record<string, string> {
  const deps = svc.depends_on;
  if (deps === undefined) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [text(d, where), 'service_started']));
  return Object.fromEntries(
    Object.entries(dict(deps, `${where}.depends_on`)).map(([target, spec]) => [
      target,
      text(dict(spec, `${where}.depends_on.${target}`).condition, `${where}.depends_on.${target}.condition`),
    ]),
  );
}

/** Published ports in short syntax: `[ip:]host:container`. */
function publishedPorts(svc: Dict, where: string): Array<{ ip?: string; host: number; container: number }> {
  if (svc.ports === undefined) return [];
  return list(svc.ports, `${where}.ports`).map((p) => {
    const spec = text(p, `${where}.ports`);
    const parts = spec.split(':');
    assert.ok(parts.length === 2 || parts.length === 3, `${where}: unexpected port syntax ${spec}`);
    const [container, host, ip] = parts.reverse();
    return { ip, host: Number(host), container: Number(container) };
  });
}

function bindMounts(svc: Dict, where: string): Array<{ source: string; target: string }> {
  if (svc.volumes === undefined) return [];
  return list(svc.volumes, `${where}.volumes`)
    .map((v) => text(v, `${where}.volumes`).split(':'))
    .filter(([source]) => source !== undefined && (source.startsWith('./') || source.startsWith('/')))
    .map(([source, target]) => ({ source: path.resolve(projectRoot, source ?? ''), target: target ?? '' }));
}

/** Compose durations such as `20s`, `1m30s`, `500ms`, in milliseconds. */
function durationMs(value: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  let rest = value;
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d+)?)(ms|us|h|m|s)/.exec(rest);
    assert.ok(m?.[1] && m[2], `unreadable duration ${value}`);
    total += Number(m[1]) * (units[m[2]] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** The variable names src/config.ts's zod schema reads. */
function configVariableNames(): Set<string> {
  const source = readProjectFile('src/config.ts');
  const block = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1];
  assert.ok(block, 'envSchema not found in src/config.ts');
  return new Set([...block.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] ?? ''));
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000) {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function shellScripts(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.sh'))
    .map((f) => path.join(dir, f))
    .sort();
}

const scratchDirs: string[] = [];
async function scratch(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `leadsync-deploy-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function writeStub(dir: string, name: string, body: string): Promise<void> {
  await writeFile(path.join(dir, name), `#!/bin/sh\n${body}`, { mode: 0o755 });
}

function loggedCalls(logFile: string): string[][] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '));
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

describe('docker-compose.yml', () => {
  it('matches the Compose Specification schema, before and after interpolation', () => {
    const schema = dict(
      JSON.parse(readProjectFile('node_modules/dclint/schemas/compose.schema.json')),
      'compose schema',
    );
    // Draft-07 schema; its `$schema` URL is not the one Ajv registers, and Ajv knows draft-07 by default.
    delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const compose = loadCompose();
    for (const [label, doc] of [
      ['as written', compose],
      ['interpolated', interpolate(compose, requiredVars)],
    ] as const) {
      const ok = validate(doc);
      assert.ok(ok, `${label}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
    }
  });

  it('passes dclint (schema, security and style rules) without errors or warnings', async () => {
    // dclint's bundled typings use extensionless relative imports that NodeNext resolution cannot follow, so
    // the part of its documented API used here is described locally.
    const dclint: unknown = await import('dclint');
    const { DCLinter } = dclint as DclintModule;
    const linter = new DCLinter({ rules: {}, quiet: false, debug: false, exclude: [] });
    const [result] = linter.lintFiles([composePath], false);
    assert.ok(result, 'dclint returned no result');
    assert.deepEqual(
      result.messages.map((m) => `${m.line}:${m.column} ${m.type} ${m.rule}: ${m.message}`),
      [],
    );
  });

  it('has every depends_on target, with the healthcheck or one-shot nature its condition waits for', () => {
    const all = services(loadCompose());
    for (const [name, svc] of Object.entries(all)) {
      for (const [target, condition] of Object.entries(dependsOn(svc, name))) {
        const dep = all[target];
        assert.ok(dep, `${name} depends on ${target}, which is not a service`);
        if (condition === 'service_healthy') {
          const check = dict(dep.healthcheck, `${target}.healthcheck (needed by ${name})`);
          assert.notEqual(check.disable, true, `${target}: healthcheck disabled but ${name} waits for it`);
          assert.ok(list(check.test, `${target}.healthcheck.test`).length > 1, `${target}: empty healthcheck`);
        } else if (condition === 'service_completed_successfully') {
          assert.ok(
            dep.restart === undefined || dep.restart === 'no',
            `${target} is awaited as a one-shot by ${name} but restarts (${String(dep.restart)})`,
          );
          assert.equal(dep.ports, undefined, `${target} is a one-shot job and should publish no ports`);
        } else {
          assert.equal(condition, 'service_started', `${name} -> ${target}: unknown condition ${condition}`);
        }
        if (!svc.profiles) assert.equal(dep.profiles, undefined, `${name} (always on) depends on profiled ${target}`);
      }
    }
    // No cycles: Compose could not order the start.
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, trail: string[]) => {
      if (done.has(name)) return;
      assert.ok(!visiting.has(name), `dependency cycle: ${[...trail, name].join(' -> ')}`);
      visiting.add(name);
      const svc = all[name];
      if (svc) for (const target of Object.keys(dependsOn(svc, name))) visit(target, [...trail, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(all)) visit(name, []);
  });

  it('starts in the order schema -> server -> namespace -> service', () => {
    const compose = loadCompose();
    const deps = (name: string) => dependsOn(service(compose, name), name);
    assert.deepEqual(deps('temporal-admin-tools'), { postgresql: 'service_healthy' });
    assert.equal(deps('temporal')['postgresql'], 'service_healthy');
    assert.equal(deps('temporal')['temporal-admin-tools'], 'service_completed_successfully');
    assert.deepEqual(deps('temporal-create-namespace'), { temporal: 'service_healthy' });
    assert.equal(deps('temporal-ui')['temporal'], 'service_healthy');
    for (const name of ['leadsync', 'worker']) {
      assert.equal(deps(name)['temporal'], 'service_healthy', name);
      assert.equal(deps(name)['temporal-create-namespace'], 'service_completed_successfully', name);
    }
  });

  it('runs Temporal as its current compose files do: server image, admin-tools jobs, PostgreSQL 16, UI', () => {
    const compose = loadCompose();
    const resolved = dict(interpolate(compose, requiredVars), 'interpolated');
    const image = (name: string) => text(service(resolved, name).image, `${name}.image`);
    assert.equal(image('temporal'), 'temporalio/server:1.30.1');
    assert.equal(image('temporal-admin-tools'), 'temporalio/admin-tools:1.30.1');
    assert.equal(image('temporal-create-namespace'), 'temporalio/admin-tools:1.30.1');
    assert.equal(image('temporal-ui'), 'temporalio/ui:2.34.6');
    assert.equal(image('postgresql'), 'postgres:16');
    for (const svc of Object.values(services(compose))) {
      assert.doesNotMatch(
        typeof svc.image === 'string' ? svc.image : '',
        /auto-setup/,
        'temporalio/auto-setup is deprecated',
      );
    }
    // Overridable versions, as in Temporal's .env.
    assert.equal(
      text(
        service(interpolate(compose, { ...requiredVars, TEMPORAL_VERSION: '1.31.0' }) as Dict, 'temporal').image,
        'x',
      ),
      'temporalio/server:1.31.0',
    );

    const server = service(resolved, 'temporal');
    const env = environment(server, 'temporal');
    assert.equal(env.DB, 'postgres12');
    assert.equal(env.DB_PORT, '5432');
    assert.equal(env.POSTGRES_SEEDS, 'postgresql');
    assert.equal(env.BIND_ON_IP, '0.0.0.0');
    assert.ok(env.POSTGRES_USER && env.POSTGRES_PWD, 'temporal needs POSTGRES_USER and POSTGRES_PWD');
    const pg = environment(service(resolved, 'postgresql'), 'postgresql');
    assert.equal(env.POSTGRES_USER, pg.POSTGRES_USER, 'temporal and postgresql disagree on the user');
    assert.equal(env.POSTGRES_PWD, pg.POSTGRES_PASSWORD, 'temporal and postgresql disagree on the password');
    const setup = environment(service(resolved, 'temporal-admin-tools'), 'temporal-admin-tools');
    for (const key of ['DB', 'DB_PORT', 'POSTGRES_USER', 'POSTGRES_PWD', 'POSTGRES_SEEDS']) {
      assert.equal(setup[key], env[key], `temporal-admin-tools and temporal disagree on ${key}`);
    }
    const pgCheck = JSON.stringify(dict(service(compose, 'postgresql').healthcheck, 'postgresql.healthcheck').test);
    assert.match(pgCheck, /pg_isready/);

    // The dynamic config file the server is pointed at is mounted, and is dynamic config.
    const configPath = env.DYNAMIC_CONFIG_FILE_PATH ?? '';
    assert.ok(configPath, 'DYNAMIC_CONFIG_FILE_PATH not set');
    const inContainer = path.posix.resolve('/etc/temporal', configPath);
    const mount = bindMounts(server, 'temporal').find((m) => inContainer.startsWith(`${m.target}/`));
    assert.ok(mount, `${inContainer} is not on a bind mount of the temporal service`);
    const onHost = path.join(mount.source, path.posix.relative(mount.target, inContainer));
    assert.ok(existsSync(onHost), `${onHost} does not exist`);
    const dynamicConfig = dict(parse(readFileSync(onHost, 'utf8')), onHost);
    assert.ok(Object.keys(dynamicConfig).length > 0, 'empty dynamic config');
    for (const [key, values] of Object.entries(dynamicConfig)) {
      for (const entry of list(values, key)) {
        const e = dict(entry, key);
        assert.ok('value' in e, `${key}: entry without value`);
        if (e.constraints !== undefined) dict(e.constraints, `${key}.constraints`);
      }
    }
    assert.deepEqual(dynamicConfig['system.forceSearchAttributesCacheRefreshOnRead'], [
      { value: true, constraints: {} },
    ]);

    const ui = environment(service(resolved, 'temporal-ui'), 'temporal-ui');
    assert.equal(ui.TEMPORAL_ADDRESS, 'temporal:7233');
    const serverPort = publishedPorts(server, 'temporal').find((p) => p.container === 7233);
    assert.ok(serverPort, 'gRPC 7233 is not published');
    const serverCheck = JSON.stringify(dict(server.healthcheck, 'temporal.healthcheck').test);
    assert.match(serverCheck, /7233/);
  });

  it('runs the setup scripts from deploy/temporal in the admin-tools jobs', () => {
    const compose = loadCompose();
    const expected = {
      'temporal-admin-tools': 'setup-postgres.sh',
      'temporal-create-namespace': 'create-namespace.sh',
    };
    for (const [name, script] of Object.entries(expected)) {
      const svc = service(compose, name);
      const command = list(svc.command, `${name}.command`).map((c) => text(c, name));
      const entrypoint = list(svc.entrypoint, `${name}.entrypoint`).map((c) => text(c, name));
      assert.deepEqual(entrypoint, ['/bin/sh'], `${name}: scripts are POSIX sh`);
      const inContainer = command[0] ?? '';
      assert.equal(path.posix.basename(inContainer), script);
      const mount = bindMounts(svc, name).find((m) => inContainer.startsWith(`${m.target}/`));
      assert.ok(mount, `${name}: ${inContainer} is not on a bind mount`);
      const onHost = path.join(mount.source, path.posix.relative(mount.target, inContainer));
      assert.equal(onHost, path.join(temporalDeployDir, script));
      assert.ok(statSync(onHost).isFile(), `${onHost} missing`);
    }
    const ns = environment(service(compose, 'temporal-create-namespace'), 'temporal-create-namespace');
    assert.equal(ns.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(ns.TEMPORAL_NAMESPACE, environment(service(compose, 'leadsync'), 'leadsync').TEMPORAL_NAMESPACE);
  });

  it('gives the service only variables src/config.ts reads, and a configuration that loads', () => {
    const compose = loadCompose();
    const known = configVariableNames();
    for (const name of ['leadsync', 'worker']) {
      for (const key of Object.keys(environment(service(compose, name), name))) {
        if (key === 'NODE_OPTIONS') continue;
        assert.ok(known.has(key), `${name} sets ${key}, which src/config.ts does not read (typo?)`);
      }
    }
    const leadsyncEnv = environment(service(compose, 'leadsync'), 'leadsync');
    for (const key of [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'PORT',
      'LEADSYNC_ENCRYPTION_KEY',
      'LEADSYNC_API_KEY',
      'LEADSYNC_DATA_DIR',
      'HUBSPOT_ACCESS_TOKEN',
      'HUBSPOT_CLIENT_ID',
      'HUBSPOT_CLIENT_SECRET',
      'HUBSPOT_REDIRECT_URI',
      'HUBSPOT_REFRESH_TOKEN',
      'HUBSPOT_PORTAL_ID',
      'HUBSPOT_API_VERSION',
      'HUBSPOT_BASE_URL',
    ]) {
      assert.ok(key in leadsyncEnv, `leadsync does not pass ${key}`);
    }

    // What the containers get with only the two required variables set: every default must be valid.
    const resolved = dict(interpolate(compose, requiredVars), 'interpolated');
    for (const name of ['leadsync', 'worker']) {
      const env = environment(service(resolved, name), name);
      const config = loadConfig(env);
      assert.equal(config.temporal.address, 'temporal:7233', name);
      assert.equal(config.temporal.namespace, 'default', name);
      assert.equal(config.encryptionKeys, sampleEncryptionKey, name);
      // No HubSpot credentials: the service falls back to its sandbox (src/worker.ts refuses to).
      assert.equal(config.hubspot.credentials.mode, 'sandbox', name);
      assert.equal(config.hubspot.baseUrl, 'https://api.hubapi.com', name);
      assert.doesNotThrow(() => parseEncryptionKeys(config.encryptionKeys ?? ''));
    }
    const main = loadConfig(environment(service(resolved, 'leadsync'), 'leadsync'));
    assert.equal(main.port, 3000);
    assert.equal(main.apiKey, sampleApiKey);
    assert.equal(main.dataDir, '/data');

    // Pass-through: credentials set on the host reach the service and the workers.
    const withToken = dict(interpolate(compose, { ...requiredVars, HUBSPOT_ACCESS_TOKEN: 'pat-na1-test' }), 'x');
    for (const name of ['leadsync', 'worker']) {
      const config = loadConfig(environment(service(withToken, name), name));
      assert.deepEqual(config.hubspot.credentials, { mode: 'static', accessToken: 'pat-na1-test' }, name);
    }
    const oauthVars = {
      ...requiredVars,
      HUBSPOT_CLIENT_ID: 'client-id',
      HUBSPOT_CLIENT_SECRET: 'client-secret',
      HUBSPOT_REFRESH_TOKEN: 'refresh-token',
      HUBSPOT_PORTAL_ID: '123456',
    };
    const withOAuth = dict(interpolate(compose, oauthVars), 'x');
    const oauth = loadConfig(environment(service(withOAuth, 'worker'), 'worker'));
    assert.equal(oauth.hubspot.credentials.mode, 'oauth');
    assert.equal(oauth.hubspot.portalId, '123456');
  });

  it('refuses to start without LEADSYNC_ENCRYPTION_KEY and LEADSYNC_API_KEY, and requires nothing else', () => {
    const compose = loadCompose();
    const required = [...variableReferences(compose)]
      .filter(([, ops]) => ops.has(':?') || ops.has('?'))
      .map(([name]) => name)
      .sort();
    assert.deepEqual(required, ['LEADSYNC_API_KEY', 'LEADSYNC_ENCRYPTION_KEY']);
    for (const missing of required) {
      const vars: Record<string, string> = { ...requiredVars };
      delete vars[missing];
      assert.throws(
        () => interpolate(compose, vars),
        (err: unknown) => err instanceof MissingVariableError && err.variable === missing,
      );
    }
    assert.doesNotThrow(() => interpolate(compose, requiredVars));
  });

  it('gives leadsync a Node healthcheck on /healthz, a data volume, an init and a long enough stop grace', () => {
    const compose = loadCompose();
    const svc = service(compose, 'leadsync');
    const check = list(dict(svc.healthcheck, 'leadsync.healthcheck').test, 'leadsync.healthcheck.test').map((t) =>
      text(t, 'test'),
    );
    assert.equal(check[0], 'CMD');
    assert.equal(check[1], 'node', 'the slim image has no curl: check with node');
    assert.match(check.join(' '), /\/healthz/);
    assert.match(readProjectFile('src/http/health.ts'), /app\.get\('\/healthz'/);

    const env = environment(svc, 'leadsync');
    const volumes = list(svc.volumes, 'leadsync.volumes').map((v) => text(v, 'volume').split(':'));
    const data = volumes.find(([, target]) => target === env.LEADSYNC_DATA_DIR);
    assert.ok(data?.[0], `LEADSYNC_DATA_DIR (${env.LEADSYNC_DATA_DIR}) is not a volume`);
    assert.ok(data[0] in dict(compose.volumes, 'volumes'), `${data[0]} is not a declared named volume`);

    const resolved = dict(interpolate(compose, requiredVars), 'interpolated');
    const graceMs = loadConfig(environment(service(resolved, 'leadsync'), 'leadsync')).shutdownGraceMs;
    assert.equal(graceMs, loadConfig({}).shutdownGraceMs, 'compose default grace differs from src/config.ts');
    for (const name of ['leadsync', 'worker']) {
      const s = service(compose, name);
      assert.equal(s.init, true, `${name}: needs an init so SIGTERM is forwarded`);
      const stopMs = durationMs(text(s.stop_grace_period, `${name}.stop_grace_period`));
      assert.ok(stopMs >= graceMs + 5000, `${name}: stop_grace_period ${stopMs} ms vs worker grace ${graceMs} ms`);
    }

    const ports = publishedPorts(svc, 'leadsync');
    assert.deepEqual(
      ports.map((p) => p.container),
      [Number(env.PORT)],
    );
    for (const [name, s] of Object.entries(services(compose))) {
      for (const p of publishedPorts(s, name)) assert.equal(p.ip, '127.0.0.1', `${name} publishes ${p.host} widely`);
    }
  });

  it('lets the Web UI reach the codec endpoint from the browser', () => {
    const compose = loadCompose();
    const resolved = dict(interpolate(compose, requiredVars), 'interpolated');
    const leadsync = service(resolved, 'leadsync');
    const ui = service(resolved, 'temporal-ui');
    const apiPort = publishedPorts(leadsync, 'leadsync')[0];
    const uiPort = publishedPorts(ui, 'temporal-ui')[0];
    assert.ok(apiPort && uiPort);
    const uiEnv = environment(ui, 'temporal-ui');
    assert.equal(uiEnv.TEMPORAL_CODEC_ENDPOINT, `http://localhost:${apiPort.host}/codec`);
    assert.match(uiEnv.TEMPORAL_CORS_ORIGINS ?? '', new RegExp(`http://localhost:${apiPort.host}`));
    assert.match(readProjectFile('src/http/codec-endpoint.ts'), /`\/codec\/\$\{op\}`/);
    // The service allows the UI origin http://localhost:<TEMPORAL_UI_PORT> (src/service/service.ts).
    assert.equal(Number(environment(leadsync, 'leadsync').TEMPORAL_UI_PORT), uiPort.host);
    assert.match(readProjectFile('src/service/service.ts'), /http:\/\/localhost:\$\{config\.temporal\.uiPort\}/);
    const custom = dict(
      interpolate(compose, { ...requiredVars, LEADSYNC_UI_CODEC_ENDPOINT: 'http://h/codec/ui/x' }),
      'x',
    );
    assert.equal(environment(service(custom, 'temporal-ui'), 'ui').TEMPORAL_CODEC_ENDPOINT, 'http://h/codec/ui/x');
  });

  it('runs extra workers (profile "scale") with what `npm run worker` runs', () => {
    const compose = loadCompose();
    const worker = service(compose, 'worker');
    assert.deepEqual(worker.profiles, ['scale']);
    assert.deepEqual(worker.build, service(compose, 'leadsync').build, 'worker and leadsync build the same image');
    assert.equal(worker.ports, undefined);
    const pkg = dict(JSON.parse(readProjectFile('package.json')), 'package.json');
    const script = text(dict(pkg.scripts, 'scripts').worker, 'scripts.worker');
    const entry = /^exec node --import tsx (\S+\.ts)$/.exec(script)?.[1];
    assert.ok(entry, `unexpected worker script: ${script}`);
    const command = list(worker.command, 'worker.command').map((c) => text(c, 'command'));
    assert.deepEqual(command, ['node', '--import', 'tsx', entry]);
    assert.ok(existsSync(path.join(projectRoot, entry)), `${entry} does not exist`);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readProjectFile('Dockerfile');
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const instructions = lines.map((l) => {
    const [op = '', ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
  const stages: Array<{ image: string; name?: string; body: Array<{ op: string; args: string }> }> = [];
  const args = new Map<string, string>();
  for (const ins of instructions) {
    if (ins.op === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = ins.args.split('=');
      args.set(name, value);
    } else if (ins.op === 'FROM') {
      const [image = '', as, name] = ins.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      const resolvedImage = image.replace(/\$\{?(\w+)\}?/g, (_m, v: string) => args.get(v) ?? '');
      stages.push({ image: resolvedImage, name: as?.toUpperCase() === 'AS' ? name : undefined, body: [] });
    } else {
      stages.at(-1)?.body.push(ins);
    }
  }
  const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));
  const final = stages.at(-1);

  it('builds on a glibc Node 22 image in every stage (the Temporal native bridge has no musl build)', () => {
    assert.ok(stages.length >= 2, 'expected a multi-stage build');
    for (const stage of stages) {
      if (stageNames.has(stage.image)) continue;
      assert.match(stage.image, /^node:22(\.\d+)*-(bookworm|trixie|bullseye)(-slim)?$/, stage.image);
      assert.doesNotMatch(stage.image, /alpine|musl/);
    }
  });

  it('installs runtime dependencies only, and tsx is one of them', () => {
    const runs = stages.flatMap((s) => s.body.filter((i) => i.op === 'RUN').map((i) => i.args));
    assert.ok(
      runs.some((r) => /npm ci\b.*--omit=dev/.test(r)),
      'npm ci --omit=dev',
    );
    const pkg = dict(JSON.parse(readProjectFile('package.json')), 'package.json');
    assert.ok('tsx' in dict(pkg.dependencies, 'dependencies'), 'tsx must be a runtime dependency');
  });

  it('runs src/main.ts as a non-root user, exposing PORT, stopping on SIGTERM', () => {
    assert.ok(final);
    const last = (op: string) => final.body.filter((i) => i.op === op).at(-1)?.args;
    const user = last('USER');
    assert.ok(user && !['root', '0'].includes(user), `final stage runs as ${user ?? 'root'}`);
    const cmd: unknown = JSON.parse(last('CMD') ?? 'null');
    const argv = list(cmd, 'CMD (exec form)').map((c) => text(c, 'CMD'));
    assert.deepEqual(argv, ['node', '--import', 'tsx', 'src/main.ts']);
    assert.ok(existsSync(path.join(projectRoot, 'src/main.ts')));
    const pkg = dict(JSON.parse(readProjectFile('package.json')), 'package.json');
    assert.equal(text(dict(pkg.scripts, 'scripts').start, 'start'), `exec ${argv.join(' ')}`, 'CMD mirrors npm start');
    assert.equal(last('STOPSIGNAL'), 'SIGTERM');
    const compose = loadCompose();
    const env = environment(service(compose, 'leadsync'), 'leadsync');
    assert.equal(last('EXPOSE'), env.PORT);
    assert.match(dockerfile, new RegExp(`LEADSYNC_DATA_DIR=${env.LEADSYNC_DATA_DIR}\\b`));
    assert.match(dockerfile, /chown node:node \/data/);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = readProjectFile('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', '.data', '.cache', 'lib', '.git', '.env']) {
      assert.ok(ignored.includes(entry), `.dockerignore should exclude ${entry}`);
    }
    for (const stage of stages) {
      for (const ins of stage.body.filter((i) => i.op === 'COPY' && !i.args.includes('--from='))) {
        const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const source of parts.slice(0, -1)) {
          assert.ok(existsSync(path.join(projectRoot, source)), `COPY ${source}: not in the repository`);
          assert.ok(!ignored.includes(source), `COPY ${source}: excluded by .dockerignore`);
        }
      }
    }
  });
});

describe('deploy scripts', () => {
  const scripts = shellScripts(deployDir);

  it('are POSIX sh that parses (sh -n), with errexit and nounset', async () => {
    assert.deepEqual(
      scripts.map((s) => path.relative(deployDir, s)),
      ['codec-endpoint.sh', 'temporal/create-namespace.sh', 'temporal/setup-postgres.sh'],
    );
    const shells = ['sh', ...['/bin/dash', '/usr/bin/dash'].filter((s) => existsSync(s)).slice(0, 1)];
    for (const script of scripts) {
      const source = readFileSync(script, 'utf8');
      assert.ok(source.startsWith('#!/bin/sh\n'), `${script}: #!/bin/sh`);
      assert.match(source, /^set -eu$/m, `${script}: set -eu`);
      for (const shell of shells) {
        const result = await run(shell, ['-n', script]);
        assert.equal(result.code, 0, `${shell} -n ${script}: ${result.stderr}`);
      }
    }
  });

  describe('setup-postgres.sh', () => {
    const script = path.join(temporalDeployDir, 'setup-postgres.sh');

    async function prepare(stub: string) {
      const dir = await scratch('pg');
      const bin = path.join(dir, 'bin');
      const schemaRoot = path.join(dir, 'schema');
      await mkdir(bin);
      await mkdir(path.join(schemaRoot, 'temporal', 'versioned'), { recursive: true });
      await mkdir(path.join(schemaRoot, 'visibility', 'versioned'), { recursive: true });
      await writeStub(bin, 'temporal-sql-tool', stub);
      const log = path.join(dir, 'calls.log');
      const env = {
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
        STUB_LOG: log,
        STUB_DIR: dir,
        POSTGRES_SEEDS: 'postgresql',
        POSTGRES_USER: 'temporal',
        POSTGRES_PWD: 's3cret',
        DB_PORT: '5432',
        TEMPORAL_SCHEMA_ROOT: schemaRoot,
        SETUP_RETRY_DELAY_SECONDS: '0',
      };
      return { dir, log, env, schemaRoot };
    }

    it('creates and migrates both databases against the postgres12 schema dirs, retrying the first step', async () => {
      // Refuses the first connection, as PostgreSQL may right after its healthcheck passes.
      const { log, env, schemaRoot } = await prepare(`
echo "$* SQL_PASSWORD=$SQL_PASSWORD" >> "$STUB_LOG"
case " $* " in
  *' create '*)
    if [ ! -f "$STUB_DIR/refused-once" ]; then : > "$STUB_DIR/refused-once"; echo 'connection refused' >&2; exit 1; fi ;;
esac
exit 0
`);
      const result = await run('sh', [script], env);
      assert.equal(result.code, 0, result.stderr);
      const calls = loggedCalls(log);
      const summary = calls.map((c) => {
        const rest = c.slice(c.indexOf('--db') + 2).filter((a) => !a.startsWith('SQL_PASSWORD='));
        return `${flag(c, '--db')} ${rest.join(' ')}`;
      });
      assert.deepEqual(summary, [
        'temporal create',
        'temporal create',
        'temporal setup-schema -v 0.0',
        `temporal update-schema -d ${schemaRoot}/temporal/versioned`,
        'temporal_visibility create',
        'temporal_visibility setup-schema -v 0.0',
        `temporal_visibility update-schema -d ${schemaRoot}/visibility/versioned`,
      ]);
      for (const call of calls) {
        assert.equal(flag(call, '--plugin'), 'postgres12');
        assert.equal(flag(call, '--ep'), 'postgresql');
        assert.equal(flag(call, '-p'), '5432');
        assert.equal(flag(call, '-u'), 'temporal');
        assert.ok(call.includes('SQL_PASSWORD=s3cret'), 'password reaches the tool through SQL_PASSWORD');
        assert.ok(!call.includes('s3cret'), 'password must not be on the command line');
      }
    });

    it("defaults to the admin-tools image's PostgreSQL v12 schema directories", async () => {
      const { env } = await prepare('exit 0\n');
      const result = await run('sh', [script], { ...env, TEMPORAL_SCHEMA_ROOT: undefined });
      if (existsSync('/etc/temporal/schema/postgresql/v12/temporal/versioned')) return;
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /\/etc\/temporal\/schema\/postgresql\/v12\/temporal\/versioned not found/);
    });

    it('gives up after SETUP_MAX_ATTEMPTS when PostgreSQL never answers', async () => {
      const { log, env } = await prepare('echo "$*" >> "$STUB_LOG"; echo "connection refused" >&2; exit 1\n');
      const result = await run('sh', [script], { ...env, SETUP_MAX_ATTEMPTS: '3' });
      assert.notEqual(result.code, 0);
      assert.equal(loggedCalls(log).length, 3);
      assert.match(result.stderr, /giving up/);
    });

    it('stops when a required variable is missing', async () => {
      const { env } = await prepare('exit 0\n');
      const result = await run('sh', [script], { ...env, POSTGRES_PWD: undefined });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /POSTGRES_PWD/);
    });
  });

  describe('create-namespace.sh', () => {
    const script = path.join(temporalDeployDir, 'create-namespace.sh');
    const declared = searchAttributeKeys.map((k) => ({ name: k.name, type: k.type }));

    const stub = `
echo "$*" >> "$STUB_LOG"
case "$1 $2 $3" in
  'operator cluster health')
    if [ "\${STUB_UNHEALTHY:-}" = 1 ]; then echo 'connection refused' >&2; exit 1; fi
    exit 0 ;;
  'operator namespace describe')
    if [ -f "$STUB_DIR/namespace" ]; then exit 0; fi
    echo 'Namespace is not found.' >&2; exit 1 ;;
  'operator namespace create')
    : > "$STUB_DIR/namespace"; exit 0 ;;
  'operator search-attribute create')
    name=''; previous=''
    for arg in "$@"; do
      if [ "$previous" = --name ]; then name=$arg; fi
      previous=$arg
    done
    case " \${STUB_CONFLICT:-} " in
      *" $name "*) echo "Error: search attribute $name already exists and has different type Text" >&2; exit 1 ;;
    esac
    case " \${STUB_EXISTING:-} " in
      *" $name "*) echo "Error: search attribute $name already exists" >&2; exit 1 ;;
    esac
    exit 0 ;;
esac
echo "stub: unexpected call: $*" >&2
exit 2
`;

    async function prepare() {
      const dir = await scratch('ns');
      const bin = path.join(dir, 'bin');
      await mkdir(bin);
      await writeStub(bin, 'temporal', stub);
      const log = path.join(dir, 'calls.log');
      const env = {
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
        STUB_LOG: log,
        STUB_DIR: dir,
        TEMPORAL_ADDRESS: '127.0.0.1:7233',
        TEMPORAL_NAMESPACE: 'default',
        SETUP_RETRY_DELAY_SECONDS: '0',
      };
      return { log, env };
    }

    it('registers exactly the search attributes src/shared/search-attributes.ts declares, all Keyword', async () => {
      assert.equal(declared.length, 5);
      for (const d of declared) assert.equal(d.type, 'KEYWORD', `${d.name} is not a Keyword in the code`);
      const { log, env } = await prepare();
      const result = await run('sh', [script], env);
      assert.equal(result.code, 0, result.stderr);
      const calls = loggedCalls(log);
      for (const call of calls) {
        assert.equal(flag(call, '--address'), '127.0.0.1:7233');
        if (call[1] !== 'cluster') assert.equal(flag(call, '--namespace'), 'default');
      }
      assert.deepEqual(
        calls.filter((c) => c[1] === 'namespace').map((c) => c[2]),
        ['describe', 'create'],
      );
      const registered = calls
        .filter((c) => c[1] === 'search-attribute' && c[2] === 'create')
        .map((c) => ({ name: flag(c, '--name'), type: flag(c, '--type') }));
      assert.deepEqual(
        registered.sort((a, b) => String(a.name).localeCompare(String(b.name))),
        declared.map((d) => ({ name: d.name, type: 'Keyword' })).sort((a, b) => a.name.localeCompare(b.name)),
      );
      assert.match(readFileSync(script, 'utf8'), /for attribute in \$search_attributes/);
    });

    it('treats "already exists" as done on a second run', async () => {
      const { log, env } = await prepare();
      assert.equal((await run('sh', [script], env)).code, 0);
      const names = declared.map((d) => d.name).join(' ');
      const again = await run('sh', [script], { ...env, STUB_EXISTING: names });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /namespace default already exists/);
      assert.equal((again.stdout.match(/already registered/g) ?? []).length, declared.length);
      assert.equal(loggedCalls(log).filter((c) => c[2] === 'create' && c[1] === 'namespace').length, 1);
    });

    it('stops at once on an attribute registered with another type', async () => {
      const { log, env } = await prepare();
      const result = await run('sh', [script], { ...env, STUB_CONFLICT: 'HubSpotPortal' });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /HubSpotPortal exists with a type other than Keyword/);
      const tries = loggedCalls(log).filter((c) => flag(c, '--name') === 'HubSpotPortal');
      assert.equal(tries.length, 1, 'a type conflict is not retried');
    });

    it('gives up after SETUP_MAX_ATTEMPTS when the server never becomes healthy', async () => {
      const { log, env } = await prepare();
      const result = await run('sh', [script], { ...env, STUB_UNHEALTHY: '1', SETUP_MAX_ATTEMPTS: '4' });
      assert.notEqual(result.code, 0);
      assert.equal(loggedCalls(log).length, 4);
      assert.match(result.stderr, /still failing after 4 attempts/);
    });

    it('sets up a real Temporal dev server, and changes nothing when run again', async (t) => {
      const found = await resolveTemporalCli({ cacheDir: defaultCacheDir });
      assert.equal(
        found.executable.type,
        'existing-path',
        'a Temporal CLI binary is needed to run the script for real',
      );
      const cli = found.executable.type === 'existing-path' ? found.executable.path : '';
      const port = await freePort();
      const server: ChildProcess = spawn(
        cli,
        ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'],
        { stdio: 'ignore' },
      );
      t.after(() => stopProcess(server));
      const env = {
        PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ''}`,
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_NAMESPACE: 'leadsync-compose',
        SETUP_MAX_ATTEMPTS: '60',
        SETUP_RETRY_DELAY_SECONDS: '1',
      };
      const first = await run('sh', [script], env, 120_000);
      assert.equal(first.code, 0, first.stderr);
      const second = await run('sh', [script], env, 120_000);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /namespace leadsync-compose already exists/);

      const listed = await run(cli, [
        'operator',
        'search-attribute',
        'list',
        '--address',
        env.TEMPORAL_ADDRESS,
        '--namespace',
        env.TEMPORAL_NAMESPACE,
        '--output',
        'json',
      ]);
      assert.equal(listed.code, 0, listed.stderr);
      const custom = dict(dict(JSON.parse(listed.stdout), 'list').customAttributes, 'customAttributes');
      for (const d of declared) assert.equal(custom[d.name], 'INDEXED_VALUE_TYPE_KEYWORD', d.name);
    });
  });

  it("codec-endpoint.sh prints the UI path of the service's codec endpoint", async () => {
    const script = path.join(deployDir, 'codec-endpoint.sh');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LEADSYNC_API_KEY: sampleApiKey };
    const result = await run('sh', [script], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), `http://localhost:3000/codec/ui/${codecCapability(sampleApiKey)}`);
    const other = await run('sh', [script, 'https://leads.example.com/'], env);
    assert.equal(other.stdout.trim(), `https://leads.example.com/codec/ui/${codecCapability(sampleApiKey)}`);
    const missing = await run('sh', [script], { PATH: process.env.PATH, HOME: process.env.HOME });
    if (!existsSync(path.join(projectRoot, '.env'))) {
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /LEADSYNC_API_KEY is not set/);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
