import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapUpsertResults, type UpsertResult } from '../../src/hubspot/batch-upsert.js';
import type { BatchUpsertResponse } from '../../src/hubspot/schemas.js';

const at = '2026-03-10T20:00:00.000Z';
const result = (id: string, email: string, isNew: boolean) => ({
  id,
  new: isNew,
  properties: { email, hs_object_id: id, createdate: at, lastmodifieddate: at },
  createdAt: at,
  updatedAt: at,
  archived: false,
});
const standardError = (message: string, context: Record<string, string[]>, category = 'VALIDATION_ERROR') => ({
  status: 'error',
  category,
  message,
  context,
  errors: [],
  links: {},
});
const response = (results: BatchUpsertResponse['results'], errors?: BatchUpsertResponse['errors']) => ({
  status: 'COMPLETE' as const,
  results,
  ...(errors ? { errors, numErrors: errors.length } : {}),
  startedAt: at,
  completedAt: at,
});

function summary(results: UpsertResult[]) {
  return results.map((r) => (r.ok ? `${r.email}:ok:${r.id}:${r.isNew}` : `${r.email}:${r.error.type}`));
}

void describe('batch upsert mapping', () => {
  void it('maps 200 results back to inputs in input order, matching emails case-insensitively', () => {
    const out = mapUpsertResults(
      ['A@x.co', 'b@x.co', 'c@x.co'],
      response([result('3', 'c@x.co', true), result('1', 'a@x.co', false), result('2', 'b@x.co', true)]),
      200,
    );
    assert.deepEqual(summary(out), ['A@x.co:ok:1:false', 'b@x.co:ok:2:true', 'c@x.co:ok:3:true']);
  });

  void it('maps 207 errors through context ids', () => {
    const out = mapUpsertResults(
      ['a@x.co', 'bad@', 'c@x.co'],
      response(
        [result('1', 'a@x.co', true), result('3', 'c@x.co', false)],
        [
          standardError(
            'Property values were not valid: Email address bad@ is invalid',
            { ids: ['bad@'] },
            'INVALID_EMAIL',
          ),
        ],
      ),
      207,
    );
    assert.deepEqual(summary(out), ['a@x.co:ok:1:true', 'bad@:HubSpotValidation', 'c@x.co:ok:3:false']);
    const failed = out[1];
    assert.ok(failed && !failed.ok);
    assert.match(failed.error.message, /bad@ is invalid/);
  });

  void it('maps 207 errors through other context keys, sub-error contexts, or the message', () => {
    const out = mapUpsertResults(
      ['a@x.co', 'b@x.co', 'c@x.co'],
      response(
        [],
        [
          standardError('Property "nope" does not exist', { emails: ['A@X.CO'] }, 'PROPERTY_DOESNT_EXIST'),
          {
            ...standardError('Invalid input', {}),
            errors: [{ message: 'bad value', context: { id: ['b@x.co'] } }],
          },
          standardError('Contact c@x.co already exists. Existing ID: 77', {}, 'CONFLICT'),
        ],
      ),
      207,
    );
    assert.deepEqual(summary(out), ['a@x.co:HubSpotValidation', 'b@x.co:HubSpotValidation', 'c@x.co:HubSpotConflict']);
    const conflict = out[2];
    assert.ok(conflict && !conflict.ok);
    assert.equal(conflict.error.existingId, '77');
  });

  void it('pairs the last unmatched input with the one unattributable error', () => {
    const out = mapUpsertResults(
      ['a@x.co', 'b@x.co'],
      response([result('1', 'a@x.co', true)], [standardError('Something went wrong', {}, 'VALIDATION_ERROR')]),
      207,
    );
    assert.deepEqual(summary(out), ['a@x.co:ok:1:true', 'b@x.co:HubSpotValidation']);
  });

  void it('gives every unmatched input the unattributable errors rather than dropping it', () => {
    const out = mapUpsertResults(
      ['a@x.co', 'b@x.co', 'c@x.co'],
      response(
        [result('1', 'a@x.co', true)],
        [
          standardError('first problem', {}, 'VALIDATION_ERROR'),
          standardError('second problem', {}, 'VALIDATION_ERROR'),
        ],
      ),
      207,
    );
    assert.deepEqual(summary(out), ['a@x.co:ok:1:true', 'b@x.co:HubSpotValidation', 'c@x.co:HubSpotValidation']);
    const b = out[1];
    assert.ok(b && !b.ok);
    assert.match(b.error.message, /first problem \| second problem/);
  });

  void it('reports an input with no attributable answer as HubSpotBadResponse instead of guessing', () => {
    const noEmail = { ...result('9', '', true), properties: { hs_object_id: '9' } };
    const out = mapUpsertResults(
      ['a@x.co', 'b@x.co', 'c@x.co'],
      response([result('1', 'a@x.co', true), noEmail, { ...noEmail, id: '10' }]),
      200,
    );
    assert.deepEqual(summary(out), ['a@x.co:ok:1:true', 'b@x.co:HubSpotBadResponse', 'c@x.co:HubSpotBadResponse']);
  });

  void it('a single result without an email belongs to the single remaining input', () => {
    const noEmail = { ...result('9', '', true), properties: { hs_object_id: '9' } };
    const out = mapUpsertResults(['a@x.co', 'b@x.co'], response([result('1', 'a@x.co', true), noEmail]), 200);
    assert.deepEqual(summary(out), ['a@x.co:ok:1:true', 'b@x.co:ok:9:true']);
  });
});
