import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import {
  LeadInputError,
  leadOnlyInput,
  parseInput,
  registerInput,
  retryFailedInput,
  subscriptionInput,
  updateInput,
} from '../../src/client/schemas.js';

const email = 'ada@example.com';

/** The issues a value is refused with; fails when it is accepted. */
function issuesOf(schema: z.ZodType, value: unknown): Array<{ field: string; message: string }> {
  try {
    parseInput(schema, value);
  } catch (err) {
    assert.ok(err instanceof LeadInputError, String(err));
    return err.issues;
  }
  assert.fail(`accepted ${JSON.stringify(value)}`);
}

const only = (field: string, message: string) => [{ field, message }];

describe('lead input schemas', () => {
  it('say "is required" for an absent email and "must be a string" for one of another type, in every input', () => {
    for (const schema of [registerInput, subscriptionInput, leadOnlyInput, retryFailedInput]) {
      assert.deepEqual(issuesOf(schema, {}), only('email', 'is required'));
      for (const wrong of [123, null, true, ['ada@example.com'], { address: email }]) {
        assert.deepEqual(issuesOf(schema, { email: wrong }), only('email', 'must be a string'), JSON.stringify(wrong));
      }
      assert.deepEqual(issuesOf(schema, { email: 'ada' }), only('email', 'must be an email address'));
    }
    assert.deepEqual(issuesOf(updateInput, { properties: { city: 'Paris' } }), only('email', 'is required'));
    assert.deepEqual(
      issuesOf(updateInput, { email: 7, properties: { city: 'Paris' } }),
      only('email', 'must be a string'),
    );
    assert.equal(parseInput(registerInput, { email: '  Ada@Example.COM ' }).email, email);
  });

  it('name a whole input that is no object as the body', () => {
    for (const schema of [registerInput, updateInput, subscriptionInput, leadOnlyInput, retryFailedInput]) {
      for (const wrong of ['ada@example.com', 42, null, [email]]) {
        assert.deepEqual(issuesOf(schema, wrong), only('(body)', 'must be a JSON object'), JSON.stringify(wrong));
      }
    }
    assert.deepEqual(issuesOf(leadOnlyInput, { email, extra: 1 }), only('extra', 'unknown field'));
  });

  it('tell an absent properties object, one of another type, a bad name and a bad value apart', () => {
    assert.deepEqual(parseInput(registerInput, { email }).properties, {});
    assert.deepEqual(issuesOf(updateInput, { email }), only('properties', 'is required'));
    for (const wrong of ['firstname=Ada', 3, null, ['Ada']]) {
      for (const schema of [registerInput, updateInput]) {
        assert.deepEqual(
          issuesOf(schema, { email, properties: wrong }),
          only('properties', 'must be an object of property names and values'),
          JSON.stringify(wrong),
        );
      }
    }
    assert.deepEqual(
      issuesOf(registerInput, { email, properties: { FirstName: 'Ada' } }),
      only('properties.FirstName', 'must be a HubSpot internal property name (lower-case letters, digits, _)'),
    );
    for (const wrong of [null, { first: 'Ada' }, ['Ada']]) {
      assert.deepEqual(
        issuesOf(registerInput, { email, properties: { firstname: wrong } }),
        only('properties.firstname', 'must be a string, number or boolean'),
      );
    }
    assert.deepEqual(
      issuesOf(registerInput, { email, properties: { notes: 'x'.repeat(65_537) } }),
      only('properties.notes', 'must be at most 65536 characters'),
    );
    assert.deepEqual(
      issuesOf(updateInput, { email, properties: {} }),
      only('properties', 'must name at least one property'),
    );
  });

  it('take any printable event id of 1 to 255 characters, "@" and non-ASCII letters included', () => {
    const accepted = [
      'signup:ada@example.com',
      'évènement #42 / café',
      '注册-2026',
      // 255 characters that are 510 UTF-16 units: the limit counts characters.
      '😀'.repeat(255),
      'x'.repeat(255),
      'old-style_id.1:2',
    ];
    for (const eventId of accepted) {
      for (const schema of [registerInput, subscriptionInput, leadOnlyInput]) {
        assert.equal(parseInput(schema, { email, eventId }).eventId, eventId);
      }
      assert.deepEqual(parseInput(retryFailedInput, { email, eventIds: [eventId] }).eventIds, [eventId]);
    }
    assert.equal(parseInput(leadOnlyInput, { email }).eventId, undefined);
  });

  it('refuse an event id that is empty, too long, not a string or holds a control character, saying which', () => {
    const refused: Array<[unknown, string]> = [
      ['', 'must not be empty'],
      ['x'.repeat(256), 'must be at most 255 characters'],
      ['😀'.repeat(256), 'must be at most 255 characters'],
      [42, 'must be a string'],
      [null, 'must be a string'],
      ['a\u0000b', 'must be printable: no control characters'],
      ['line\nbreak', 'must be printable: no control characters'],
      ['carriage\rreturn', 'must be printable: no control characters'],
      ['esc\u001b[31m', 'must be printable: no control characters'],
      ['del\u007f', 'must be printable: no control characters'],
      ['c1\u0085control', 'must be printable: no control characters'],
      ['lone\ud800surrogate', 'must be printable: no control characters'],
    ];
    for (const [eventId, message] of refused) {
      for (const schema of [registerInput, subscriptionInput, leadOnlyInput]) {
        assert.deepEqual(issuesOf(schema, { email, eventId }), only('eventId', message), JSON.stringify(eventId));
      }
      assert.deepEqual(
        issuesOf(retryFailedInput, { email, eventIds: ['fine', eventId] }),
        only('eventIds.1', message),
        JSON.stringify(eventId),
      );
    }
  });

  it('check every subscription field by its own rule, a wrong type included', () => {
    const parsed = parseInput(subscriptionInput, {
      email,
      subscriptionId: 91_370_001,
      legalBasis: 'CONSENT_WITH_NOTICE',
      legalBasisExplanation: 'asked by email',
    });
    assert.equal(parsed.subscriptionId, '91370001');
    for (const wrong of ['marketing', -1, 1.5, true, null]) {
      assert.deepEqual(
        issuesOf(subscriptionInput, { email, subscriptionId: wrong }),
        only('subscriptionId', 'must be a numeric subscription id'),
        JSON.stringify(wrong),
      );
    }
    for (const wrong of ['consent', 1, null]) {
      const [issue] = issuesOf(subscriptionInput, { email, legalBasis: wrong });
      assert.equal(issue?.field, 'legalBasis');
      assert.match(issue?.message ?? '', /^must be one of CONSENT_WITH_NOTICE, /);
    }
    for (const wrong of [1, false, null, ['asked']]) {
      assert.deepEqual(
        issuesOf(subscriptionInput, { email, legalBasisExplanation: wrong }),
        only('legalBasisExplanation', 'must be a string'),
        JSON.stringify(wrong),
      );
    }
    assert.deepEqual(
      issuesOf(subscriptionInput, { email, legalBasisExplanation: 'x'.repeat(1_001) }),
      only('legalBasisExplanation', 'must be at most 1000 characters'),
    );
  });

  it('check the event ids to retry as a list of event ids', () => {
    assert.equal(parseInput(retryFailedInput, { email }).eventIds, undefined);
    for (const wrong of ['evt-1', 1, null, { id: 'evt-1' }]) {
      assert.deepEqual(
        issuesOf(retryFailedInput, { email, eventIds: wrong }),
        only('eventIds', 'must be an array of event ids'),
        JSON.stringify(wrong),
      );
    }
    assert.deepEqual(issuesOf(retryFailedInput, { email, eventIds: [7] }), only('eventIds.0', 'must be a string'));
    assert.deepEqual(
      issuesOf(retryFailedInput, { email, eventIds: Array.from({ length: 1_001 }, (_, i) => `e-${i}`) }),
      only('eventIds', 'must name at most 1000 event ids'),
    );
  });
});
