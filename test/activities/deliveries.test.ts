/**
 * The delivery activity in a real activity context (`log` throws outside one), posting over a real socket to a
 * loopback receiver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDeliveryActivities } from '../../src/activities/deliveries.js';
import { verifyWebhook } from '../../src/client/webhook-signature.js';
import { BackendDeliveryError, createBackendWebhook } from '../../src/deliveries/backend-webhook.js';
import type { BackendDelivery } from '../../src/shared/delivery-types.js';
import { startLoopback, type Loopback, type LoopbackAnswer } from '../hubspot/helpers/loopback.js';

const SECRET = 'whsec-activity-test-0123456789';
const EMAIL = 'grace.hopper@example.com';
const delivery: BackendDelivery = {
  id: 'dlv-activity-1',
  type: 'lead.unsubscribed',
  portalId: '62515',
  email: EMAIL,
  changes: { hs_email_optout: 'true', lastname: 'Hopper-Private' },
  source: 'hubspot',
  occurredAt: '2026-01-01T00:00:00.000Z',
};

interface LogLine {
  level: LogLevel;
  message: string;
  meta: LogMetadata;
}

function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, meta: LogMetadata = {}) =>
      lines.push({ level, message, meta });
  return {
    log: (level, message, meta = {}) => lines.push({ level, message, meta }),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

describe('deliverChange activity', () => {
  let loopback: Loopback;
  let next: LoopbackAnswer = { status: 202 };
  before(async () => (loopback = await startLoopback(() => next)));
  after(() => loopback.close());

  /** Runs the activity once in a fresh activity context; returns its result or failure, and what it logged. */
  async function deliver(options: { backend: boolean; answer?: LoopbackAnswer }) {
    next = options.answer ?? { status: 202 };
    const lines: LogLine[] = [];
    const env = new MockActivityEnvironment({}, { logger: recordingLogger(lines) });
    const backend = options.backend
      ? createBackendWebhook({ url: `${loopback.baseUrl}/hooks`, secret: SECRET, timeoutMs: 200 })
      : undefined;
    const activities = createDeliveryActivities({ backend });
    const requestsBefore = loopback.requests.length;
    const outcome = await env
      .run((input: { delivery: BackendDelivery }) => activities.deliverChange(input), { delivery })
      .then(
        (result) => ({ result, failure: undefined }),
        (failure: unknown) => ({ result: undefined, failure }),
      );
    const logged = JSON.stringify(lines);
    assert.equal(logged.includes(EMAIL), false, 'logs hold no email');
    assert.equal(logged.includes('Hopper-Private'), false, 'logs hold no changed values');
    assert.equal(logged.includes(SECRET), false);
    return { ...outcome, lines, requests: loopback.requests.length - requestsBefore };
  }

  const line = (lines: LogLine[], message: string) => lines.find((l) => l.message === message);

  it('posts the delivery once and logs its id, type and status', async () => {
    const { result, lines, requests } = await deliver({ backend: true });
    assert.deepEqual(result, { status: 202, delivered: true });
    assert.equal(requests, 1);
    const req = loopback.requests.at(-1)!;
    assert.deepEqual(JSON.parse(req.body), delivery);
    assert.equal(verifyWebhook(req.body, req.headers['leadsync-signature'], SECRET), true);
    const logged = line(lines, 'change delivered to the backend');
    assert.equal(logged?.level, 'INFO');
    assert.equal(logged?.meta.deliveryId, 'dlv-activity-1');
    assert.equal(logged?.meta.type, 'lead.unsubscribed');
    assert.equal(logged?.meta.status, 202);
  });

  it('on a worker without a backend URL fails retryably and sends nothing, so the change is never dropped', async () => {
    const { failure, lines, requests } = await deliver({ backend: false });
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'BackendUnavailable');
    assert.equal(failure.nonRetryable, false);
    assert.equal(requests, 0);
    assert.equal(
      line(lines, 'no backend webhook configured on this worker; the delivery waits for one that has it')?.meta
        .deliveryId,
      'dlv-activity-1',
    );
  });

  it('a 503 with Retry-After fails retryably, with the delay for Temporal', async () => {
    const { failure, lines, requests } = await deliver({
      backend: true,
      answer: { status: 503, headers: { 'retry-after': '3' } },
    });
    assert.equal(requests, 1);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'BackendUnavailable');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 3000);
    assert.ok(failure.cause instanceof BackendDeliveryError);
    const warned = line(lines, 'backend delivery failed');
    assert.deepEqual(
      [warned?.level, warned?.meta.deliveryId, warned?.meta.failure, warned?.meta.status],
      ['WARN', 'dlv-activity-1', 'BackendUnavailable', 503],
    );
  });

  it('a 400 fails permanently, naming the answer but not the secret', async () => {
    const { failure } = await deliver({ backend: true, answer: { status: 400, body: { error: 'unknown lead' } } });
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'BackendRejected');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'backend webhook answered 400: {"error":"unknown lead"}');
    assert.equal(JSON.stringify(failure).includes(SECRET), false);
  });

  it('a receiver that hangs past the timeout fails retryably', async () => {
    const { failure } = await deliver({ backend: true, answer: 'hang' });
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'BackendUnavailable');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.message, 'backend webhook timed out after 200 ms');
  });
});
