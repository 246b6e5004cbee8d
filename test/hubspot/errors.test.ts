import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  badResponse,
  classifyBatchError,
  classifyResponse,
  classifyTransportError,
  HubSpotError,
  invalidInput,
} from '../../src/hubspot/errors.js';
import { msUntilNextMidnight, parseRetryAfter } from '../../src/hubspot/retry-after.js';

const CID = '6f3a1d2e-9a57-4b5e-8a43-0c1f2e3d4b5a';
// 2026-03-10T20:00:00.000Z
const NOW = Date.UTC(2026, 2, 10, 20, 0, 0);

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers, body });

void describe('classifyResponse', () => {
  for (const category of ['VALIDATION_ERROR', 'PROPERTY_DOESNT_EXIST', 'INVALID_EMAIL']) {
    void it(`400 ${category} → HubSpotValidation, not retryable, with HubSpot's message`, () => {
      const message =
        category === 'PROPERTY_DOESNT_EXIST'
          ? 'Property "favorite_color" does not exist'
          : 'Property values were not valid: [{"isValid":false,"message":"Email address bad@ is invalid","error":"INVALID_EMAIL","name":"email"}]';
      const err = classifyResponse(answer(400, { status: 'error', message, correlationId: CID, category }));
      assert.equal(err.type, 'HubSpotValidation');
      assert.equal(err.retryable, false);
      assert.equal(err.status, 400);
      assert.equal(err.category, category);
      assert.equal(err.correlationId, CID);
      assert.ok(err.message.includes(message), err.message);
    });
  }

  void it('400 with another category → HubSpotRejected', () => {
    const err = classifyResponse(
      answer(400, { status: 'error', message: 'Invalid input JSON', category: 'INVALID_PARAMS' }),
    );
    assert.equal(err.type, 'HubSpotRejected');
    assert.equal(err.retryable, false);
  });

  void it('401 EXPIRED_AUTHENTICATION → HubSpotTokenExpired, retryable', () => {
    const err = classifyResponse(
      answer(
        401,
        {
          status: 'error',
          message: 'The OAuth token used to make this call expired 0 second(s) ago.',
          correlationId: CID,
          category: 'EXPIRED_AUTHENTICATION',
          context: { 'expire time': ['2026-03-10T23:04:41.164Z'] },
        },
        { 'x-hubspot-auth-failure': '401 Unauthorized' },
      ),
    );
    assert.equal(err.type, 'HubSpotTokenExpired');
    assert.equal(err.retryable, true);
    assert.deepEqual(err.details?.context, { 'expire time': ['2026-03-10T23:04:41.164Z'] });
  });

  void it('401 other → HubSpotAuth, not retryable', () => {
    const err = classifyResponse(
      answer(401, {
        status: 'error',
        message: 'Authentication credentials not found.',
        correlationId: CID,
        category: 'INVALID_AUTHENTICATION',
      }),
    );
    assert.equal(err.type, 'HubSpotAuth');
    assert.equal(err.retryable, false);
  });

  void it('403 missing scopes → HubSpotAuth', () => {
    const err = classifyResponse(
      answer(403, {
        status: 'error',
        message: "This app hasn't been granted all required scopes to make this call.",
        correlationId: CID,
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredGranularScopes: ['crm.objects.contacts.write'] },
          },
        ],
        category: 'MISSING_SCOPES',
      }),
    );
    assert.equal(err.type, 'HubSpotAuth');
    assert.equal(err.retryable, false);
    assert.equal(err.category, 'MISSING_SCOPES');
  });

  void it('404 → HubSpotNotFound', () => {
    const err = classifyResponse(
      answer(404, { status: 'error', message: 'resource not found', correlationId: CID, category: 'OBJECT_NOT_FOUND' }),
    );
    assert.equal(err.type, 'HubSpotNotFound');
    assert.equal(err.retryable, false);
  });

  void it('409 → HubSpotConflict with existingId parsed from the message', () => {
    const err = classifyResponse(
      answer(409, {
        status: 'error',
        message: 'Contact already exists. Existing ID: 123456',
        correlationId: CID,
        category: 'CONFLICT',
      }),
    );
    assert.equal(err.type, 'HubSpotConflict');
    assert.equal(err.retryable, false);
    assert.equal(err.existingId, '123456');
  });

  void it('409 without an id → HubSpotConflict without existingId', () => {
    const err = classifyResponse(answer(409, { status: 'error', message: 'Conflict', category: 'CONFLICT' }));
    assert.equal(err.type, 'HubSpotConflict');
    assert.equal(err.existingId, undefined);
    assert.equal('existingId' in err, false);
  });

  const tenSecondly = {
    status: 'error',
    message: 'You have reached your ten_secondly_rolling limit.',
    errorType: 'RATE_LIMIT',
    correlationId: CID,
    policyName: 'TEN_SECONDLY_ROLLING',
    groupName: 'publicapi:app-id:123:portal:456',
  };

  void it('429 with Retry-After (seconds) → HubSpotRateLimited with retryAfterMs', () => {
    const err = classifyResponse(answer(429, tenSecondly, { 'retry-after': '3' }), {
      now: NOW,
      windowRemainingMs: 7000,
    });
    assert.equal(err.type, 'HubSpotRateLimited');
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 3000);
    assert.equal(err.details?.policyName, 'TEN_SECONDLY_ROLLING');
  });

  void it('429 with Retry-After as an HTTP date', () => {
    const at = new Date(NOW + 5000).toUTCString();
    const err = classifyResponse(answer(429, tenSecondly, { 'retry-after': at }), { now: NOW });
    assert.equal(err.retryAfterMs, 5000);
  });

  void it('429 without Retry-After → the rest of the window the budget knows', () => {
    const err = classifyResponse(answer(429, tenSecondly), { now: NOW, windowRemainingMs: 4200 });
    assert.equal(err.retryAfterMs, 4200);
    const capped = classifyResponse(answer(429, tenSecondly, { 'x-hubspot-ratelimit-interval-milliseconds': '1000' }), {
      now: NOW,
      windowRemainingMs: 4200,
    });
    assert.equal(capped.retryAfterMs, 1000, "never longer than HubSpot's own window");
  });

  void it('429 without Retry-After or budget knowledge → the interval header, else 10 s', () => {
    const withHeader = classifyResponse(
      answer(429, tenSecondly, {
        'x-hubspot-ratelimit-interval-milliseconds': '10000',
        'x-hubspot-ratelimit-remaining': '0',
      }),
      { now: NOW },
    );
    assert.equal(withHeader.retryAfterMs, 10_000);
    const bare = classifyResponse(answer(429, 'Too Many Requests'), { now: NOW });
    assert.equal(bare.type, 'HubSpotRateLimited');
    assert.equal(bare.retryAfterMs, 10_000);
  });

  void it('429 DAILY → until the next midnight (UTC when the portal zone is unknown)', () => {
    const daily = { ...tenSecondly, message: 'You have reached your daily limit.', policyName: 'DAILY' };
    const err = classifyResponse(answer(429, daily), { now: NOW, windowRemainingMs: 500 });
    assert.equal(err.retryAfterMs, 4 * 3_600_000);
    // 20:00 UTC is 16:00 in New York (EDT from 2026-03-08): 8 hours to local midnight.
    const ny = classifyResponse(answer(429, daily), { now: NOW, timeZone: 'America/New_York' });
    assert.equal(ny.retryAfterMs, 8 * 3_600_000);
  });

  void it('429 SECONDLY (search) without other knowledge → 1 s', () => {
    const err = classifyResponse(
      answer(429, { status: 'error', message: 'You have reached your secondly limit.', policyName: 'SECONDLY' }),
      { now: NOW },
    );
    assert.equal(err.retryAfterMs, 1000);
  });

  void it('477 Migration in Progress → HubSpotTransient with Retry-After', () => {
    const err = classifyResponse(
      answer(
        477,
        { status: 'error', message: 'Migration in progress', category: 'MIGRATION_IN_PROGRESS' },
        { 'retry-after': '120' },
      ),
      { now: NOW },
    );
    assert.equal(err.type, 'HubSpotTransient');
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 120_000);
  });

  for (const status of [500, 502, 503, 504, 521]) {
    void it(`${status} → HubSpotTransient`, () => {
      const err = classifyResponse(answer(status, '<html><body>Bad gateway</body></html>'));
      assert.equal(err.type, 'HubSpotTransient');
      assert.equal(err.retryable, true);
      assert.equal(err.retryAfterMs, undefined);
      assert.match(err.message, /Bad gateway/);
    });
  }

  void it('400 BAD_REFRESH_TOKEN (v1 body) → HubSpotBadRefreshToken, not retryable', () => {
    const err = classifyResponse(
      answer(400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token' }),
    );
    assert.equal(err.type, 'HubSpotBadRefreshToken');
    assert.equal(err.retryable, false);
  });

  void it('400 invalid_grant (RFC 6749 body) → HubSpotBadRefreshToken', () => {
    const err = classifyResponse(
      answer(400, {
        error: 'invalid_grant',
        error_description: 'refresh token is invalid, expired or revoked',
        status: 'BAD_REFRESH_TOKEN',
        message: 'missing or unknown refresh token',
      }),
      { grantType: 'refresh_token' },
    );
    assert.equal(err.type, 'HubSpotBadRefreshToken');
    assert.equal(err.details?.error, 'invalid_grant');
  });

  void it('400 invalid_grant on a code exchange is a bad code, not a dead refresh token', () => {
    const err = classifyResponse(answer(400, { error: 'invalid_grant', error_description: 'code expired' }), {
      grantType: 'authorization_code',
    });
    assert.equal(err.type, 'HubSpotRejected');
    assert.match(err.message, /code expired/);
  });

  for (const status of [405, 410, 413, 415, 422]) {
    void it(`${status} → HubSpotRejected`, () => {
      const err = classifyResponse(answer(status, { status: 'error', message: 'nope', category: 'UNKNOWN' }));
      assert.equal(err.type, 'HubSpotRejected');
      assert.equal(err.retryable, false);
    });
  }

  void it('takes the correlation id from the header when the body has none', () => {
    const err = classifyResponse(answer(500, '', { 'x-hubspot-correlation-id': CID }));
    assert.equal(err.correlationId, CID);
    assert.equal(err.message, 'HubSpot 500: HTTP 500');
  });

  void it('keeps a sanitized cause (never request headers) and scrubs secrets from message and details', () => {
    const token = 'pat-na1-11111111-2222-3333-4444-555555555555';
    const err = classifyResponse(
      answer(401, {
        status: 'error',
        message: `Token ${token} is not valid`,
        category: 'INVALID_AUTHENTICATION',
        context: { token: [token] },
      }),
      { secrets: [token], request: { method: 'GET', url: `https://api.hubapi.com/x?access_token=${token}&a=1` } },
    );
    assert.equal(err.message.includes(token), false);
    assert.equal(JSON.stringify(err).includes(token), false);
    assert.equal(JSON.stringify({ ...err }).includes(token), false);
    assert.deepEqual(err.cause, {
      status: 401,
      method: 'GET',
      url: 'https://api.hubapi.com/x?access_token=%5Bredacted%5D&a=1',
    });
    assert.equal(Object.keys(err).includes('cause'), false);
  });
});

void describe('classifyBatchError', () => {
  void it('maps a StandardError entry by category', () => {
    const base = { status: 'error', context: { ids: ['a@x.co'] }, errors: [], links: {} };
    assert.equal(
      classifyBatchError({ ...base, category: 'VALIDATION_ERROR', message: 'Email address a@x.co is invalid' }).type,
      'HubSpotValidation',
    );
    assert.equal(
      classifyBatchError({ ...base, category: 'OBJECT_NOT_FOUND', message: 'not found' }).type,
      'HubSpotNotFound',
    );
    const conflict = classifyBatchError({
      ...base,
      category: 'CONFLICT',
      message: 'Contact already exists. Existing ID: 9',
    });
    assert.equal(conflict.type, 'HubSpotConflict');
    assert.equal(conflict.existingId, '9');
    assert.equal(classifyBatchError({ ...base, category: 'WHATEVER', message: 'x' }).type, 'HubSpotRejected');
  });
});

void describe('classifyTransportError', () => {
  const gotLike = (name: string, code: string, message: string) =>
    Object.assign(new Error(message), {
      name,
      code,
      options: { headers: { authorization: 'Bearer super-secret-token-value' } },
    });

  void it('got TimeoutError → HubSpotTransient', () => {
    const err = classifyTransportError(gotLike('TimeoutError', 'ETIMEDOUT', "Timeout awaiting 'request' for 500ms"), {
      request: { method: 'POST', url: 'http://127.0.0.1:1/crm/objects/2026-03/contacts/batch/upsert' },
    });
    assert.equal(err.type, 'HubSpotTransient');
    assert.equal(err.retryable, true);
    assert.match(err.message, /timed out/);
    assert.deepEqual(err.cause, {
      code: 'ETIMEDOUT',
      method: 'POST',
      url: 'http://127.0.0.1:1/crm/objects/2026-03/contacts/batch/upsert',
    });
    assert.equal(JSON.stringify(err).includes('super-secret'), false);
  });

  for (const [code, message] of [
    ['ECONNRESET', 'read ECONNRESET'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'],
    ['ERR_GOT_REQUEST_ERROR', 'socket hang up'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.hubapi.com'],
  ] as const) {
    void it(`${code} / "${message}" → HubSpotTransient`, () => {
      const err = classifyTransportError(gotLike('RequestError', code, message));
      assert.equal(err.type, 'HubSpotTransient');
      assert.equal(err.retryable, true);
      assert.match(err.message, /connection failed/);
    });
  }

  void it('an unknown failure is transient too, and a HubSpotError passes through unchanged', () => {
    assert.equal(classifyTransportError(new Error('weird')).type, 'HubSpotTransient');
    const original = invalidInput('bad');
    assert.equal(classifyTransportError(original), original);
  });
});

void describe('badResponse', () => {
  void it('→ HubSpotBadResponse, not retryable, with the zod issues in the message', () => {
    const parsed = z.object({ id: z.string(), results: z.array(z.string()) }).safeParse({ id: 5 });
    assert.equal(parsed.success, false);
    if (parsed.success) return;
    const err = badResponse(200, parsed.error);
    assert.ok(err instanceof HubSpotError);
    assert.equal(err.type, 'HubSpotBadResponse');
    assert.equal(err.retryable, false);
    assert.match(err.message, /id: Invalid input: expected string/);
    assert.match(err.message, /results: /);
  });
});

void describe('retry-after helpers', () => {
  void it('parses seconds, dates and garbage', () => {
    assert.equal(parseRetryAfter('10', NOW), 10_000);
    assert.equal(parseRetryAfter('0.5', NOW), 500);
    assert.equal(parseRetryAfter(new Date(NOW - 1000).toUTCString(), NOW), 0);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
  });

  void it('counts to the next midnight in a zone', () => {
    assert.equal(msUntilNextMidnight(Date.UTC(2026, 0, 1, 23, 59, 59, 500)), 500);
    assert.equal(msUntilNextMidnight(Date.UTC(2026, 0, 1, 0, 0, 0, 0)), 86_400_000);
    assert.equal(msUntilNextMidnight(Date.UTC(2026, 0, 1, 12), 'Asia/Tokyo'), 3 * 3_600_000);
  });
});
