import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectionTokenProvider } from '../../src/activities/token-provider.js';
import { createTokenActivities } from '../../src/activities/tokens.js';
import { createHubSpotClient } from '../../src/hubspot/index.js';
import { redactTokenShapes } from '../../src/hubspot/redact.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { reauthorizeConnection } from '../../src/service/connection.js';
import { connectionWorkflowId } from '../../src/shared/ids.js';
import { SECRET_FIELDS } from '../../src/shared/secret-fields.js';
import { failureConverter } from '../../src/temporal/failure-converter.js';
import { connectTemporal, testDataConverter, withWorker } from '../helpers/temporal.js';
import { startCodecServer, toJsonPayload, type CodecServer } from './helpers/codec-server.js';
import { storedPayloadTypes, type StoredPayloadType } from './helpers/stored-payload-types.js';
import { tokenPayloadSamples, type TokenPayloadSamples } from './helpers/token-payload-samples.js';

/** Field names that say "credential"; every one in a stored payload must be a declared secret field. */
const CREDENTIAL_LIKE = /token|secret|passw|credential|api_?key|authori[sz]ation|cookie|bearer|^code$/i;
const REDACTED = '[redacted]';
const API_KEY = 'codec-secrets-api-key-of-this-test';

/** Through the service's data converter: the default JSON payload converter, then its payload codecs. */
function encrypt(values: unknown[]): Promise<Payload[]> {
  return encode(values.map((v) => defaultPayloadConverter.toPayload(v)));
}

async function encode(payloads: Payload[]): Promise<Payload[]> {
  for (const codec of testDataConverter.payloadCodecs ?? []) payloads = await codec.encode(payloads);
  return payloads;
}

/** The sample as the endpoint must answer it: every credential value, and nothing else, replaced. */
function masked(value: unknown, secrets: ReadonlySet<string>): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === 'string' && secrets.has(v) ? REDACTED : v,
  ) as unknown;
}

/** The paths (`.a[].b`) of a sample's string values, in the notation of stored-payload-types. */
function stringPaths(value: unknown, at = ''): string[] {
  if (typeof value === 'string') return [at];
  if (Array.isArray(value)) return value.flatMap((v) => stringPaths(v, `${at}[]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => stringPaths(v, `${at}.${k}`));
  }
  return [];
}

function payloadsIn(value: unknown): Payload[] {
  if (value === null || typeof value !== 'object') return [];
  if ('data' in value && value.data instanceof Uint8Array && 'metadata' in value) return [value as Payload];
  return Object.values(value).flatMap(payloadsIn);
}

describe('the codec endpoint never hands out a credential', () => {
  let sandbox: Sandbox;
  let server: CodecServer;
  let types: StoredPayloadType[];
  let tokens: TokenPayloadSamples;

  before(async () => {
    sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e9) + 1000, rateLimit: false });
    server = await startCodecServer({ codec: testDataConverter.payloadCodecs![0]!, apiKey: API_KEY });
    types = storedPayloadTypes();
    tokens = await tokenPayloadSamples(sandbox);
  });
  after(async () => {
    await server?.close();
    await sandbox?.close();
  });

  it('declares as secret every credential-like field of every stored payload type', () => {
    const credentialLike = types.flatMap((t) =>
      t.fields.filter((f) => CREDENTIAL_LIKE.test(f.name)).map((f) => `${t.label} ${f.path}`),
    );
    assert.ok(credentialLike.includes('update forceRefresh args .rejectedToken'), credentialLike.join('\n'));
    assert.ok(credentialLike.includes('workflow hubspotConnection input .state.tokens.refreshToken'));
    const undeclared = types.flatMap((t) =>
      t.fields
        .filter((f) => CREDENTIAL_LIKE.test(f.name) && !SECRET_FIELDS.has(f.name))
        .map((f) => `${t.label} ${f.path}`),
    );
    assert.deepEqual(undeclared, [], 'add these fields to src/shared/secret-fields.ts');
  });

  it('has a sample, with every secret field filled, of each payload type that carries one', () => {
    const carriers = types.filter((t) => t.fields.some((f) => SECRET_FIELDS.has(f.name)));
    assert.deepEqual(
      carriers.map((t) => t.label).sort(),
      Object.keys(tokens.samples).sort(),
      'a payload type carries a secret field: add a sample to test/http/helpers/token-payload-samples.ts',
    );
    for (const type of carriers) {
      const filled = new Set(tokens.samples[type.label]!.flatMap((sample) => stringPaths(sample)));
      const unfilled = type.fields.filter((f) => SECRET_FIELDS.has(f.name) && !filled.has(f.path)).map((f) => f.path);
      assert.deepEqual(unfilled, [], `${type.label}: the samples leave these secret fields out`);
    }
  });

  for (const route of ['bearer', 'capability'] as const) {
    it(`masks every credential and keeps every other value, on the ${route} route`, async () => {
      const secrets = new Set(tokens.secrets);
      for (const [label, samples] of Object.entries(tokens.samples)) {
        const answer = await server.call('decode', (await encrypt(samples)).map(toJsonPayload), route);
        assert.equal(answer.status, 200, answer.raw);
        for (const secret of secrets) {
          assert.ok(!answer.texts.some((t) => t.includes(secret)) && !answer.raw.includes(secret), label);
        }
        assert.deepEqual(
          answer.texts.map((t) => JSON.parse(t) as unknown),
          samples.map((s) => masked(s, secrets)),
          label,
        );
      }
    });
  }

  it('masks credentials quoted in free text: a lastError, a failure message', async () => {
    const failure = failureConverter.errorToFailure(
      ApplicationFailure.create({ type: 'HubSpotAuth', message: tokens.status.lastError!, nonRetryable: true }),
      defaultPayloadConverter,
    );
    const payloads = [...(await encrypt([tokens.status])), ...(await encode([failure.encodedAttributes!]))];
    const answer = await server.call('decode', payloads.map(toJsonPayload), 'capability');
    assert.equal(answer.status, 200);
    assert.equal(answer.texts.length, 2);
    for (const text of answer.texts) {
      assert.ok(
        tokens.secrets.every((secret) => !text.includes(secret)),
        'no credential in the decoded text',
      );
      assert.match(
        text,
        /HubSpot answered 401 to Bearer \[redacted\]; access token \[redacted\] and refresh token \[redacted\] refused/,
      );
    }
  });
});

describe('a real connection workflow history, decoded through the endpoint', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;
  let server: CodecServer;

  before(async () => {
    ({ env, close } = await connectTemporal());
    sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e9) + 1000, rateLimit: false });
    server = await startCodecServer({ codec: testDataConverter.payloadCodecs![0]!, apiKey: API_KEY });
  });
  after(async () => {
    await server?.close();
    await sandbox?.close();
    await close?.();
  });

  it('shows no token, not even the rejected one forceRefresh sends', async () => {
    const { oauth } = createHubSpotClient({
      baseUrl: sandbox.baseUrl,
      oauth: { clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
    });
    const portalId = String(sandbox.portalId);
    const refreshToken = sandbox.issueRefreshToken();
    const seen = await withWorker(env, { activities: createTokenActivities({ oauth }) }, async ({ taskQueue }) => {
      await reauthorizeConnection({ client: env.client, taskQueue, portalId, mode: 'oauth' }, { refreshToken });
      const provider = connectionTokenProvider({ client: env.client, portalId });
      const rejected = await provider.getAccessToken();
      await provider.forceRefresh(rejected);
      const fresh = await provider.getAccessToken();
      const handle = env.client.workflow.getHandle(connectionWorkflowId(portalId));
      const history = await handle.fetchHistory();
      await handle.terminate('test done');
      return { tokens: [refreshToken, rejected, fresh], payloads: payloadsIn(history) };
    });
    assert.notEqual(seen.tokens[1], seen.tokens[2], 'forceRefresh brought a new token');

    for (const route of ['bearer', 'capability'] as const) {
      const answer = await server.call('decode', seen.payloads.map(toJsonPayload), route);
      assert.equal(answer.status, 200);
      const leaked = answer.texts.filter((t) => seen.tokens.some((token) => t.includes(token)));
      assert.deepEqual(leaked, []);
      assert.deepEqual(
        answer.texts.filter((t) => redactTokenShapes(t) !== t),
        [],
        'nothing token-shaped is left',
      );
      assert.ok(
        answer.texts.some((t) => t.includes(`"rejectedToken":"${REDACTED}"`)),
        answer.texts.join('\n'),
      );
      assert.ok(answer.texts.some((t) => t.includes(`"refreshToken":"${REDACTED}"`)));
      assert.ok(
        answer.texts.some((t) => t.includes(`"portalId":"${portalId}"`)),
        'the rest stays readable',
      );
    }
  });
});
