import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { maskSecrets, redactTokenShapes } from '../../src/hubspot/redact.js';
import { newAccessToken, newAuthorizationCode, newRefreshToken, newStaticToken } from '../../src/sandbox/ids.js';

describe('token shapes', () => {
  it('recognises HubSpot credentials wherever they sit in a text', () => {
    const credentials = [
      newAccessToken(),
      newRefreshToken(),
      newAuthorizationCode(),
      newStaticToken(),
      `eu1-${randomUUID()}`,
      `pat-eu1-${randomUUID()}`,
      // The length of HubSpot's documented example access token, in its alphabet.
      `C${randomBytes(51).toString('base64url')}`,
    ];
    for (const credential of credentials) {
      assert.equal(redactTokenShapes(`before ${credential}, after`), 'before [redacted], after');
      assert.equal(redactTokenShapes(`"${credential}"`), '"[redacted]"');
    }
    assert.equal(redactTokenShapes('authorization: Bearer my-own-static-token'), 'authorization: Bearer [redacted]');
  });

  it('leaves ids, digests, addresses and prose readable', () => {
    const readable = [
      randomUUID(),
      createHash('sha256').update('event').digest('hex'),
      createHash('sha512').update('event').digest('hex'),
      'ada.lovelace@example.com',
      'lead:62515:ada@example.com',
      '2026-03-01T12:00:00.000Z',
      'https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert?archived=false',
      'a1b2c3d4e5f60718',
      'Property values were not valid: firstname is required',
      'x'.repeat(200),
    ];
    for (const text of readable) assert.equal(redactTokenShapes(text), text);
  });

  it('masks declared fields whatever their value, walks plain data only, and keeps numbers', () => {
    const error = new Error('kept as it is');
    const value = {
      tokens: [{ accessToken: 'short', refreshToken: 'x', expiresAt: 1 }],
      code: 400,
      note: `refresh ${newRefreshToken()} refused`,
      error,
    };
    const out = maskSecrets(value, { fields: new Set(['accessToken', 'refreshToken', 'code']) });
    assert.deepEqual(out.tokens, [{ accessToken: '[redacted]', refreshToken: '[redacted]', expiresAt: 1 }]);
    assert.equal(out.code, 400);
    assert.equal(out.note, 'refresh [redacted] refused');
    assert.equal(out.error, error);
    assert.equal(value.tokens[0]!.accessToken, 'short', 'the input is not changed');
  });
});
