import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, UnknownKeyError } from '../../src/temporal/codec.js';
import { startCodecServer, toJsonPayload, type CodecServer } from './helpers/codec-server.js';

const API_KEY = 'codec-errors-api-key-of-this-test';
const key = (id: string) => ({ id, key: randomBytes(32) });
const CURRENT = key('key-held-current');
const PREVIOUS = key('key-held-previous');
const FOREIGN = key('key-of-another-deployment');
const HELD_IDS = [CURRENT.id, PREVIOUS.id];

const sample = () => defaultPayloadConverter.toPayload({ email: 'ada@example.com', firstname: 'Ada' });

describe('codec endpoint failures name no key the service holds', () => {
  let server: CodecServer;
  const held = new AesGcmCodec([CURRENT, PREVIOUS]);

  before(async () => {
    server = await startCodecServer({ codec: held, apiKey: API_KEY });
  });
  after(async () => server?.close());

  it('the codec itself names only the unknown key id', async () => {
    const [foreign] = await new AesGcmCodec([FOREIGN]).encode([sample()]);
    await assert.rejects(
      held.decode([foreign!]),
      (err: unknown) =>
        err instanceof UnknownKeyError &&
        err.keyId === FOREIGN.id &&
        err.message.includes(FOREIGN.id) &&
        HELD_IDS.every((id) => !err.message.includes(id)),
    );
  });

  for (const route of ['bearer', 'capability'] as const) {
    it(`answers a foreign key with a fixed message, and logs only its id (${route} route)`, async () => {
      const [foreign] = await new AesGcmCodec([FOREIGN]).encode([sample()]);
      const logsBefore = server.logLines().length;
      const answer = await server.call('decode', [toJsonPayload(foreign!)], route);
      assert.equal(answer.status, 400);
      assert.deepEqual(JSON.parse(answer.raw), {
        error: 'unknown_key',
        message: 'payload was encrypted with a key this service does not hold',
      });
      const logged = server.logLines().slice(logsBefore).join('\n');
      assert.ok(logged.includes(FOREIGN.id), logged);
      for (const id of HELD_IDS) assert.ok(!logged.includes(id), `the log names held key ${id}`);
    });
  }

  it('answers a tampered or truncated payload with a fixed message, not the cipher error', async () => {
    const [encrypted] = await held.encode([sample()]);
    const flipped = Buffer.from(encrypted!.data!);
    flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 0xff;
    const broken: Payload[] = [
      { ...encrypted!, data: flipped },
      { ...encrypted!, data: flipped.subarray(0, 8) },
    ];
    for (const payload of broken) {
      const answer = await server.call('decode', [toJsonPayload(payload)], 'bearer');
      assert.equal(answer.status, 400);
      assert.deepEqual(JSON.parse(answer.raw), {
        error: 'codec_failed',
        message: 'payload could not be decrypted or encoded',
      });
    }
  });

  it('still decodes what any held key encrypted', async () => {
    const [old] = await new AesGcmCodec([PREVIOUS]).encode([sample()]);
    const answer = await server.call('decode', [toJsonPayload(old!)], 'capability');
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.texts[0]!), { email: 'ada@example.com', firstname: 'Ada' });
  });
});
