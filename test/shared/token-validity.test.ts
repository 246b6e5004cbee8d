import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFresh, OUTAGE_GRANT_MS, outageGrantUntil, refreshAt } from '../../src/shared/token-validity.js';

describe('refreshAt', () => {
  it('is the margin before expiry when the margin is under half the lifetime', () => {
    // 30-minute token, 5-minute margin.
    assert.equal(refreshAt({ issuedAt: 1_000_000, expiresAt: 2_800_000 }, 300_000), 2_500_000);
  });

  it('is the middle of the lifetime when the margin is longer than half of it', () => {
    // 3-second token, 5-minute margin: refreshed after 1.5 s, not on every request.
    assert.equal(refreshAt({ issuedAt: 10_000, expiresAt: 13_000 }, 300_000), 11_500);
  });

  it('is the middle at exactly half the lifetime', () => {
    assert.equal(refreshAt({ issuedAt: 0, expiresAt: 2_000 }, 1_000), 1_000);
  });

  it('rounds half an odd lifetime down, keeping the instant a whole millisecond', () => {
    assert.equal(refreshAt({ issuedAt: 0, expiresAt: 3_001 }, 60_000), 1_501);
  });

  it('is the expiry itself with a zero margin, and never after it with a negative one', () => {
    assert.equal(refreshAt({ issuedAt: 0, expiresAt: 5_000 }, 0), 5_000);
    assert.equal(refreshAt({ issuedAt: 0, expiresAt: 5_000 }, -1_000), 5_000);
  });

  it('is the expiry for a token that had expired when it was obtained', () => {
    assert.equal(refreshAt({ issuedAt: 9_000, expiresAt: 8_000 }, 1_000), 8_000);
  });
});

describe('isFresh', () => {
  const grant = { refreshAt: 11_500 };

  it('is true up to the millisecond before refreshAt', () => {
    assert.equal(isFresh(grant, 0), true);
    assert.equal(isFresh(grant, 11_499), true);
  });

  it('is false from refreshAt on', () => {
    assert.equal(isFresh(grant, 11_500), false);
    assert.equal(isFresh(grant, 11_501), false);
  });
});

describe('outageGrantUntil', () => {
  it('hands a stale token out for a short while at a time during an outage', () => {
    assert.equal(outageGrantUntil({ expiresAt: 100_000 }, 50_000), 50_000 + OUTAGE_GRANT_MS);
  });

  it('never past the moment it would expire in the caller’s hands', () => {
    assert.equal(outageGrantUntil({ expiresAt: 100_000 }, 100_000 - OUTAGE_GRANT_MS), undefined);
    assert.equal(outageGrantUntil({ expiresAt: 100_000 }, 99_000), undefined);
  });
});
