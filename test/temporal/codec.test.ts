import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/codec.js';
import { generateKeyString, parseEncryptionKeys } from '../../src/temporal/keys.js';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString();

describe('AES-256-GCM payload codec', () => {
  const k1 = parseEncryptionKeys(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
  const k2 = parseEncryptionKeys(`k2:${Buffer.alloc(32, 2).toString('base64')}`);
  const payload = defaultPayloadConverter.toPayload({ accessToken: 'secret-access-token', email: 'ada@example.com' });

  it('encrypts the whole payload, names the key, and decrypts it back', async () => {
    const codec = new AesGcmCodec(k1);
    const [encrypted] = await codec.encode([payload]);
    assert.equal(text(encrypted!.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted!.metadata?.[KEY_ID_METADATA]), 'k1');
    assert.equal(text(encrypted!.data).includes('secret-access-token'), false);
    assert.equal(text(encrypted!.data).includes('json/plain'), false, 'the inner encoding is hidden too');
    const [decrypted] = await codec.decode([encrypted!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decrypted!), {
      accessToken: 'secret-access-token',
      email: 'ada@example.com',
    });
  });

  it('rotates: the first key encrypts, every listed key decrypts', async () => {
    const [old] = await new AesGcmCodec(k1).encode([payload]);
    const rotated = new AesGcmCodec([...k2, ...k1]);
    const [fresh] = await rotated.encode([payload]);
    assert.equal(text(fresh!.metadata?.[KEY_ID_METADATA]), 'k2');
    const [a, b] = await rotated.decode([old!, fresh!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(a!), defaultPayloadConverter.fromPayload(b!));
    await assert.rejects(new AesGcmCodec(k2).decode([old!]), /no decryption key with id "k1"/);
  });

  it('refuses a tampered payload and passes plaintext payloads through', async () => {
    const codec = new AesGcmCodec(k1);
    const [encrypted] = await codec.encode([payload]);
    const data = Buffer.from(encrypted!.data!);
    data[data.length - 20] = data[data.length - 20]! ^ 0xff;
    await assert.rejects(codec.decode([{ ...encrypted!, data }]));
    const [plain] = await codec.decode([payload]);
    assert.equal(plain, payload);
  });

  it('parses key lists by id or derives ids, and names a bad key without echoing it', () => {
    const generated = generateKeyString();
    const [derived] = parseEncryptionKeys(generated.slice(generated.indexOf(':') + 1));
    assert.equal(derived!.id, generated.slice(0, generated.indexOf(':')));
    assert.throws(
      () => parseEncryptionKeys('k1:c2hvcnQ='),
      (err: Error) => /key 1 must be 32 bytes/.test(err.message) && !err.message.includes('c2hvcnQ='),
    );
  });
});
