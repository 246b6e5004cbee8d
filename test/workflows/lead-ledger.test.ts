import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeadEvent, LeadEventBody, LeadRecord } from '../../src/shared/lead-types.js';
import { LeadLedger, type Step } from '../../src/workflows/lead-ledger.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const email = 'ada@example.com';

let counter = 0;
const ev = (body: LeadEventBody, eventId = `e-${++counter}`): LeadEvent => ({
  ...body,
  eventId,
  email,
  receivedAt: new Date(T0).toISOString(),
});
const update = (properties: Record<string, string>, eventId?: string) => ev({ kind: 'update', properties }, eventId);
const fresh = () => LeadLedger.create({ email, portalId: '42', now: T0 });

/** Applies every step as HubSpot would accept it, returning the steps in order. */
function drain(ledger: LeadLedger, now = T0): Step[] {
  const steps: Step[] = [];
  for (let step = ledger.next(now); step; step = ledger.next(now)) {
    steps.push(step);
    if (step.kind === 'write') ledger.succeeded({ kind: 'write', id: '901', properties: strings(step) }, now);
    else if (step.kind === 'resubscribe') ledger.succeeded({ kind: 'resubscribe', resubscribed: [] }, now);
    else if (step.kind === 'resync') ledger.succeeded({ kind: 'resync', id: '901' }, now);
    else ledger.succeeded({ kind: step.kind }, now);
  }
  return steps;
}
const strings = (step: Extract<Step, { kind: 'write' }>) =>
  Object.fromEntries(Object.entries(step.properties).map(([k, v]) => [k, String(v)]));

describe('lead ledger (pure bookkeeping, no server)', () => {
  it('a register with only an email still reaches HubSpot, and the lead is synced with its contact id', () => {
    const ledger = fresh();
    ledger.accept(ev({ kind: 'register', properties: {} }), T0);
    const step = ledger.next(T0);
    assert.deepEqual(step?.kind, 'write');
    assert.deepEqual(step.kind === 'write' && step.properties, {});
    assert.equal(ledger.view(false).status, 'pending');
    ledger.succeeded({ kind: 'write', id: '777', properties: {} }, T0);
    const view = ledger.view(false);
    assert.equal(view.status, 'synced');
    assert.equal(view.hubspotId, '777');
  });

  it('folds consecutive property writes into one step, later values winning, and stops at other kinds', () => {
    const ledger = fresh();
    ledger.accept(ev({ kind: 'register', properties: { firstname: 'Ada', city: 'London' } }), T0);
    ledger.accept(update({ city: 'Paris' }), T0);
    ledger.accept(ev({ kind: 'unsubscribe' }), T0);
    ledger.accept(update({ jobtitle: 'Analyst' }), T0);
    const steps = drain(ledger);
    assert.deepEqual(
      steps.map((s) => s.kind),
      ['write', 'unsubscribe', 'write'],
    );
    assert.deepEqual(steps[0]!.kind === 'write' && steps[0]!.properties, { firstname: 'Ada', city: 'Paris' });
    const view = ledger.view(false);
    assert.equal(view.processedEvents, 4);
    assert.deepEqual(view.properties, { firstname: 'Ada', city: 'Paris', jobtitle: 'Analyst' });
    assert.equal(view.subscription.unsubscribedFromAll, true);
  });

  it('drops repeats by event id, and malformed events', () => {
    const ledger = fresh();
    assert.equal(ledger.accept(update({ city: 'Rome' }, 'dup'), T0), 'queued');
    assert.equal(ledger.accept(update({ city: 'Oslo' }, 'dup'), T0), 'duplicate');
    assert.equal(ledger.accept({ kind: 'explode', eventId: 'x' } as unknown as LeadEvent, T0), 'malformed');
    assert.equal(ledger.accept(undefined as unknown as LeadEvent, T0), 'malformed');
    drain(ledger);
    assert.equal(ledger.view(false).properties.city, 'Rome');
    assert.equal(ledger.view(false).processedEvents, 1);
  });

  it('remembers event ids past 3,000 events, across a snapshot, so an old retried PATCH is not applied again', () => {
    let ledger = fresh();
    for (let i = 0; i <= 3_000; i++) {
      ledger.accept(update({ jobtitle: `title-${i}` }, `s-${i}`), T0 + i * 1_000);
      drain(ledger, T0 + i * 1_000);
      if (i % 1_000 === 0) ledger = LeadLedger.restore(ledger.snapshot());
    }
    assert.equal(ledger.accept(update({ jobtitle: 'title-999' }, 's-999'), T0 + 3_001_000), 'duplicate');
    assert.equal(ledger.next(T0 + 3_001_000), undefined);
    assert.equal(ledger.view(false).properties.jobtitle, 'title-3000');
  });

  it('forgets ids after the window, but keeps the most recent ones and never more than the cap', () => {
    const limits = { windowMs: 7 * DAY, maxIds: 50, keepRecent: 10 };
    const ledger = LeadLedger.create({ email, portalId: '42', now: T0 }, { memory: limits });
    for (let i = 0; i < 40; i++) ledger.accept(update({ n: String(i) }, `w-${i}`), T0 + i);
    drain(ledger);
    // Eight days later: the window has passed for all of them, but the ten newest stay.
    const later = T0 + 8 * DAY;
    ledger.accept(update({ n: 'new' }, 'w-new'), later);
    assert.equal(ledger.accept(update({ n: 'again' }, 'w-35'), later), 'duplicate', 'one of the ten newest');
    assert.equal(ledger.accept(update({ n: 'again' }, 'w-5'), later), 'queued', 'outside the window');
    // The cap holds whatever the window says.
    for (let i = 0; i < 200; i++) ledger.accept(update({ n: String(i) }, `c-${i}`), later);
    assert.ok(ledger.snapshot().seen.ids.length <= 50, `${ledger.snapshot().seen.ids.length} ids kept`);
    assert.equal(ledger.accept(update({ n: 'x' }, 'c-199'), later), 'duplicate');
  });

  it('keeps event ids as hashes: the snapshot holds no id in readable form', () => {
    const ledger = fresh();
    ledger.accept(update({ city: 'Bern' }, 'signup:ada@example.com'), T0);
    const seen = JSON.stringify(ledger.snapshot().seen);
    assert.doesNotMatch(seen, /ada|signup/);
    assert.match(ledger.snapshot().seen.ids[0]!, /^[0-9a-f]{16}$/);
  });

  it('shows the step in flight as pending, also while the workflow is parked on the connection', () => {
    const ledger = fresh();
    ledger.accept(update({ city: 'Lima' }, 'u-1'), T0);
    ledger.accept(ev({ kind: 'unsubscribe' }, 'u-2'), T0);
    ledger.next(T0);
    const parked = ledger.view(true);
    assert.equal(parked.status, 'blocked');
    assert.deepEqual(
      parked.pending.map((p) => [p.eventId, p.inFlight ?? false]),
      [
        ['u-1', true],
        ['u-2', false],
      ],
    );
    // A snapshot taken mid-step carries the step at the head of the queue, so the next run applies it first.
    const next = LeadLedger.restore(ledger.snapshot());
    assert.equal(next.next(T0)?.kind, 'write');
  });

  it('a folded write HubSpot rejects is split, so only the event with the bad property fails', () => {
    const ledger = fresh();
    ledger.accept(update({ city: 'Kyiv' }, 'ok-1'), T0);
    ledger.accept(update({ favourite_colour: 'teal' }, 'bad'), T0);
    ledger.accept(update({ jobtitle: 'Chemist' }, 'ok-2'), T0);
    const folded = ledger.next(T0);
    assert.equal(folded?.kind === 'write' && folded.events.length, 3);
    ledger.failed({ errorType: 'HubSpotValidation', message: 'favourite_colour does not exist' }, T0);
    for (let step = ledger.next(T0); step; step = ledger.next(T0)) {
      assert.equal(step.kind === 'write' && step.events.length, 1, 'each event goes alone after the split');
      if (step.kind === 'write' && 'favourite_colour' in step.properties) {
        ledger.failed({ errorType: 'HubSpotValidation', message: 'favourite_colour does not exist' }, T0);
      } else if (step.kind === 'write') {
        ledger.succeeded({ kind: 'write', id: '5', properties: strings(step) }, T0);
      }
    }
    const view = ledger.view(false);
    assert.equal(view.status, 'failed');
    assert.deepEqual(
      view.failed.map((f) => [f.event.eventId, f.errorType]),
      [['bad', 'HubSpotValidation']],
    );
    assert.deepEqual(view.properties, { city: 'Kyiv', jobtitle: 'Chemist' });
    assert.equal(view.processedEvents, 3);
  });

  it('a replayed failed write never overwrites a value a later event wrote, but fills in what nobody wrote', () => {
    const ledger = fresh();
    ledger.accept(update({ jobtitle: 'Old', phone: '+1 555' }, 'f-1'), T0);
    ledger.next(T0);
    ledger.failed({ errorType: 'HubSpotValidation', message: 'phone is invalid' }, T0);
    ledger.accept(update({ jobtitle: 'Newer' }, 'f-2'), T0);
    drain(ledger);
    assert.equal(ledger.retryFailed(undefined, T0), 1);
    const [replay] = drain(ledger);
    assert.deepEqual(replay?.kind === 'write' && replay.properties, { phone: '+1 555' });
    assert.equal(ledger.view(false).properties.jobtitle, 'Newer');
    assert.equal(ledger.view(false).failed.length, 0);
  });

  it('a replay every later event has overtaken needs no call at all', () => {
    const ledger = fresh();
    ledger.accept(update({ jobtitle: 'Old' }, 'o-1'), T0);
    ledger.next(T0);
    ledger.failed({ errorType: 'HubSpotValidation', message: 'no' }, T0);
    ledger.accept(update({ jobtitle: 'New' }, 'o-2'), T0);
    drain(ledger);
    ledger.retryFailed(['o-1'], T0);
    assert.equal(ledger.next(T0), undefined);
    assert.equal(ledger.view(false).processedEvents, 3);
  });

  it('retryFailed replays only the events named, and says how many', () => {
    const ledger = fresh();
    for (const id of ['a', 'b']) {
      ledger.accept(ev({ kind: 'unsubscribe', subscriptionId: id === 'a' ? '1' : '2' }, id), T0);
      ledger.next(T0);
      ledger.failed({ errorType: 'HubSpotRejected', message: 'no' }, T0);
    }
    assert.equal(ledger.retryFailed(['b', 'zzz'], T0), 1);
    assert.deepEqual(
      ledger.view(false).failed.map((f) => f.event.eventId),
      ['a'],
    );
    assert.equal(ledger.retryFailed(['zzz'], T0), 0);
  });

  it('a GDPR delete forgets the lead: properties, contact id, subscriptions and older failed events', () => {
    const ledger = fresh();
    ledger.accept(ev({ kind: 'register', properties: { firstname: 'Gone' } }), T0);
    ledger.accept(ev({ kind: 'unsubscribe' }), T0);
    drain(ledger);
    ledger.accept(update({ phone: 'bad' }, 'p-1'), T0);
    ledger.next(T0);
    ledger.failed({ errorType: 'HubSpotValidation', message: 'bad phone' }, T0);
    ledger.retryFailed(undefined, T0);
    ledger.accept(ev({ kind: 'delete' }, 'del'), T0);
    // The replay queued before the delete runs first (and fails again); then the delete.
    ledger.next(T0);
    ledger.failed({ errorType: 'HubSpotValidation', message: 'bad phone' }, T0);
    assert.equal(ledger.next(T0)?.kind, 'delete');
    ledger.succeeded({ kind: 'delete' }, T0);
    assert.equal(ledger.wasForgotten, true);
    const view = ledger.view(false);
    assert.equal(view.deleted, true);
    assert.equal(view.hubspotId, undefined);
    assert.deepEqual(view.properties, {});
    assert.deepEqual(view.subscription, { unsubscribedFromAll: false, unsubscribed: [] });
    assert.deepEqual(view.failed, []);
    // An old failed event an operator replays after the delete cannot bring the contact back.
    assert.equal(ledger.retryFailed(undefined, T0), 0);
  });

  it('a replay queued before a delete but applied after it is dropped', () => {
    const ledger = fresh();
    ledger.accept(update({ phone: 'bad' }, 'r-1'), T0);
    ledger.next(T0);
    ledger.failed({ errorType: 'HubSpotValidation', message: 'bad phone' }, T0);
    ledger.accept(ev({ kind: 'delete' }, 'r-del'), T0);
    assert.equal(ledger.next(T0)?.kind, 'delete');
    ledger.retryFailed(undefined, T0);
    assert.equal(ledger.view(false).pending.length, 2);
    ledger.succeeded({ kind: 'delete' }, T0);
    assert.equal(ledger.hasWork(), false, 'the replay was older than the delete: nothing keeps the lead alive');
    assert.equal(ledger.next(T0), undefined);
    assert.doesNotMatch(JSON.stringify(ledger.snapshot().queue), /phone/);
    assert.equal(ledger.view(false).processedEvents, 3);
  });

  it('after a delete, the events queued behind it start a new lead that has seen only them', () => {
    const ledger = fresh();
    ledger.accept(ev({ kind: 'register', properties: { firstname: 'Old' } }, 'signup:ada'), T0);
    ledger.accept(ev({ kind: 'unsubscribe' }), T0);
    drain(ledger);
    ledger.accept(ev({ kind: 'delete' }), T0);
    assert.equal(ledger.next(T0)?.kind, 'delete');
    // The same sign-up id again, for a sign-up after the deletion, arriving while the delete is in flight.
    assert.equal(
      ledger.accept(ev({ kind: 'register', properties: { lastname: 'New' } }, 'signup:ada'), T0),
      'duplicate',
    );
    ledger.accept(ev({ kind: 'register', properties: { lastname: 'New' } }, 'signup:ada:2'), T0);
    ledger.succeeded({ kind: 'delete' }, T0);
    const next = ledger.successor(T0 + 1);
    const view = next.view(false);
    assert.equal(view.processedEvents, 0);
    assert.deepEqual(view.properties, {});
    assert.deepEqual(view.subscription, { unsubscribedFromAll: false, unsubscribed: [] });
    assert.equal(view.deleted, false);
    assert.equal(next.snapshot().seen.ids.length, 1, 'only the queued event is remembered');
    assert.equal(next.accept(ev({ kind: 'register', properties: {} }, 'signup:ada'), T0), 'queued');
    assert.deepEqual(
      drain(next).map((s) => s.kind === 'write' && s.properties),
      [{ lastname: 'New' }],
    );
  });

  it('refuses a hand-sent write without properties instead of tripping over it', () => {
    const ledger = fresh();
    assert.equal(ledger.accept({ kind: 'update', eventId: 'h-1', email } as unknown as LeadEvent, T0), 'malformed');
    assert.equal(
      ledger.accept({ kind: 'register', eventId: 'h-2', email, properties: ['x'] } as unknown as LeadEvent, T0),
      'malformed',
    );
    assert.equal(ledger.hasWork(), false);
  });

  it('bounds the failed events it carries by size as well as count', () => {
    const ledger = fresh();
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 20; i++) {
      ledger.accept(update({ notes: big }, `big-${i}`), T0);
      ledger.next(T0);
      ledger.failed({ errorType: 'HubSpotValidation', message: 'too long' }, T0);
    }
    const failed = ledger.view(false).failed;
    assert.ok(failed.length < 20 && failed.length >= 5, `${failed.length} kept`);
    assert.equal(failed.at(-1)?.event.eventId, 'big-19', 'the newest are kept');
    assert.ok(JSON.stringify(ledger.snapshot()).length < 600 * 1024);
  });

  it('compacts a long queue it carries to the next run, keeping what folding would send', () => {
    const ledger = fresh();
    ledger.accept(ev({ kind: 'register', properties: { firstname: 'Q' } }, 'q-0'), T0);
    ledger.accept(ev({ kind: 'unsubscribe' }, 'q-u'), T0);
    for (let i = 1; i <= 40; i++) ledger.accept(update({ notes: `${i}`.padEnd(10_000, '.') }, `q-${i}`), T0);
    const carried = ledger.snapshot();
    assert.ok(JSON.stringify(carried).length < 100 * 1024, `${JSON.stringify(carried).length} bytes carried`);
    assert.deepEqual(
      carried.queue.map((e) => e.event.kind),
      ['register', 'unsubscribe', 'update'],
    );
    const next = LeadLedger.restore(carried);
    assert.equal(next.accept(update({ notes: 'again' }, 'q-7'), T0), 'duplicate', 'every merged id is still known');
    const steps = drain(next);
    const last = steps.at(-1)!;
    assert.equal(last.kind === 'write' && String(last.properties.notes).startsWith('40.'), true);
    // A short queue is carried as it is.
    const small = fresh();
    small.accept(update({ a: '1' }), T0);
    small.accept(update({ b: '2' }), T0);
    assert.equal(small.snapshot().queue.length, 2);
  });

  it('a resync of a lead HubSpot never had needs no call; of a known lead it carries the last state', () => {
    const ledger = fresh();
    ledger.accept(ev({ kind: 'resync' }), T0);
    assert.equal(ledger.next(T0), undefined);
    ledger.accept(ev({ kind: 'register', properties: { firstname: 'Re' } }), T0);
    ledger.accept(ev({ kind: 'unsubscribe', subscriptionId: '7' }), T0);
    ledger.accept(ev({ kind: 'resync' }), T0);
    const steps = drain(ledger);
    const resync = steps.at(-1)!;
    assert.equal(resync.kind, 'resync');
    assert.deepEqual(resync.kind === 'resync' && resync.properties, { firstname: 'Re' });
    assert.deepEqual(resync.kind === 'resync' && resync.subscription.unsubscribed, ['7']);
  });

  it('resubscribe undoes only what the lead left; a requeued step comes back first', () => {
    const ledger = fresh();
    ledger.accept(ev({ kind: 'unsubscribe', subscriptionId: '3' }), T0);
    drain(ledger);
    ledger.accept(ev({ kind: 'resubscribe' }), T0);
    const step = ledger.next(T0);
    assert.deepEqual(step?.kind === 'resubscribe' && step.subscription.unsubscribed, ['3']);
    ledger.requeue();
    assert.equal(ledger.view(false).pending.length, 1);
    assert.equal(ledger.next(T0)?.kind, 'resubscribe');
    ledger.succeeded({ kind: 'resubscribe', resubscribed: ['3'] }, T0);
    assert.deepEqual(ledger.view(false).subscription, { unsubscribedFromAll: false, unsubscribed: [] });
  });

  it('keeps at most the configured number of failed events, dropping the oldest', () => {
    const ledger = LeadLedger.create({ email, portalId: '42', now: T0 }, { maxFailed: 3 });
    for (let i = 0; i < 5; i++) {
      ledger.accept(ev({ kind: 'unsubscribe', subscriptionId: String(i) }, `x-${i}`), T0);
      ledger.next(T0);
      ledger.failed({ errorType: 'HubSpotRejected', message: 'no' }, T0);
    }
    assert.deepEqual(
      ledger.view(false).failed.map((f) => f.event.eventId),
      ['x-2', 'x-3', 'x-4'],
    );
  });

  it('a snapshot round-trips everything the next run needs', () => {
    const ledger = fresh();
    ledger.accept(ev({ kind: 'register', properties: { firstname: 'Snap' } }, 'k-1'), T0);
    drain(ledger);
    ledger.accept(update({ city: 'Quito' }, 'k-2'), T0);
    const restored = LeadLedger.restore(JSON.parse(JSON.stringify(ledger.snapshot())) as LeadRecord);
    assert.deepEqual(restored.view(false), ledger.view(false));
    assert.equal(restored.accept(update({ city: 'x' }, 'k-1'), T0), 'duplicate');
    assert.equal(restored.next(T0)?.kind, 'write');
  });
});
