import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import proto from '@temporalio/proto';
import { LeadSyncClient } from '../../src/client/lead-sync-client.js';
import { leadWorkflowId } from '../../src/shared/ids.js';
import { HubSpotContactId, LeadSyncStatus } from '../../src/shared/search-attributes.js';
import type { LeadEvent, LeadEventBody, LeadSyncInput } from '../../src/shared/lead-types.js';
import {
  connectionRestoredSignal,
  leadEventSignal,
  leadStateQuery,
  retryFailedSignal,
} from '../../src/shared/messages.js';
import type { leadSync } from '../../src/workflows/lead-sync.js';
import { eventually } from '../helpers/service.js';
import { connectTemporal, withWorker } from '../helpers/temporal.js';
import { standInActivities } from './helpers/stand-in-activities.js';

const EventType = proto.temporal.api.enums.v1.EventType;
const PORTAL = '4242';

describe('leadSync workflow with stand-in activities, on the dev server', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;

  before(async () => ({ env, close } = await connectTemporal()));
  after(async () => close());

  const event = (email: string, body: LeadEventBody, eventId: string = randomUUID()): LeadEvent => ({
    ...body,
    eventId,
    email,
    receivedAt: new Date().toISOString(),
  });

  /** Starts (or signals) the lead as the client does: signal-with-start on `lead:<portal>:<email>`. */
  const send = async (taskQueue: string, e: LeadEvent, extra: Partial<LeadSyncInput> = {}) => {
    const workflowId = leadWorkflowId(PORTAL, e.email);
    await env.client.workflow.signalWithStart<typeof leadSync, [LeadEvent]>('leadSync', {
      workflowId,
      taskQueue,
      args: [{ email: e.email, portalId: PORTAL, ...extra }],
      signal: leadEventSignal,
      signalArgs: [e],
    });
    return env.client.workflow.getHandle<typeof leadSync>(workflowId);
  };
  const settled = (handle: WorkflowHandle, what: string, extra: (s: Awaited<ReturnType<typeof state>>) => boolean) =>
    eventually(
      async () => {
        const s = await state(handle);
        return s.pending.length === 0 && extra(s) ? s : undefined;
      },
      { what },
    );
  const state = (handle: WorkflowHandle) => handle.query(leadStateQuery);
  const email = () => `wf-${randomUUID().slice(0, 8)}@example.com`;

  it('a new lead registered through the client costs 2 workflow tasks, 1 activity and 1 search-attribute write, and reaches HubSpot with no properties', async () => {
    const fake = standInActivities(env.client);
    await withWorker(env, { activities: fake.activities }, async ({ taskQueue }) => {
      const address = email();
      const leads = new LeadSyncClient({ client: env.client, portalId: PORTAL, taskQueue });
      const { workflowId } = await leads.register({ email: address });
      const handle = env.client.workflow.getHandle(workflowId);
      const s = await settled(handle, 'the register', (x) => x.hubspotId !== undefined);
      assert.equal(s.status, 'synced');
      assert.deepEqual(
        fake.calls.map((c) => [c.activity, c.properties]),
        [['upsertContact', {}]],
      );
      const events = (await handle.fetchHistory()).events ?? [];
      const count = (type: proto.temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === type).length;
      assert.equal(count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED), 2, 'workflow tasks');
      assert.equal(count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 1, 'activities');
      assert.equal(count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES), 1, 'search-attribute writes');
      const attributes = (await handle.describe()).typedSearchAttributes;
      assert.equal(attributes.get(LeadSyncStatus), 'synced');
      assert.equal(attributes.get(HubSpotContactId), s.hubspotId);
    });
  });

  it('folds the updates that queue behind a write in flight into one call, later values winning', async () => {
    const fake = standInActivities(env.client);
    await withWorker(env, { activities: fake.activities }, async ({ taskQueue }) => {
      const address = email();
      let open!: () => void;
      fake.control.gate = new Promise<void>((resolve) => (open = resolve));
      const handle = await send(taskQueue, event(address, { kind: 'register', properties: { firstname: 'Ada' } }));
      await eventually(() => Promise.resolve(fake.calls.length === 1), { what: 'the register in flight' });
      for (const city of ['Paris', 'Rome', 'Oslo'])
        await send(taskQueue, event(address, { kind: 'update', properties: { city } }));
      await eventually(async () => (await state(handle)).pending.length === 4, { what: 'the updates queued' });
      const inFlight = await state(handle);
      assert.deepEqual(
        inFlight.pending.map((p) => [p.kind, p.inFlight ?? false]),
        [
          ['register', true],
          ['update', false],
          ['update', false],
          ['update', false],
        ],
      );
      open();
      const s = await settled(handle, 'the folded write', (x) => x.processedEvents === 4);
      assert.deepEqual(
        fake.calls.map((c) => c.properties),
        [{ firstname: 'Ada' }, { city: 'Oslo' }],
      );
      assert.deepEqual(s.properties, { firstname: 'Ada', city: 'Oslo' });
    });
  });

  it('drops a repeated event id across continue-as-new, and keeps its queue and failed events', async () => {
    const fake = standInActivities(env.client);
    fake.control.reject.add('favourite_colour');
    await withWorker(env, { activities: fake.activities }, async ({ taskQueue }) => {
      const address = email();
      const extra = { continueAsNewAfterEvents: 30 };
      const handle = await send(taskQueue, event(address, { kind: 'register', properties: { n: '0' } }, 'r-0'), extra);
      await send(taskQueue, event(address, { kind: 'update', properties: { favourite_colour: 'teal' } }, 'bad'), extra);
      for (let i = 1; i <= 12; i++) {
        await send(taskQueue, event(address, { kind: 'update', properties: { n: String(i) } }, `r-${i}`), extra);
        await settled(handle, `event ${i}`, (x) => x.properties.n === String(i));
      }
      const runs: string[] = [];
      for await (const run of env.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` }))
        runs.push(run.status.name);
      assert.ok(runs.filter((r) => r === 'CONTINUED_AS_NEW').length >= 2, `runs: ${runs.join(', ')}`);
      const callsBefore = fake.calls.length;
      await send(taskQueue, event(address, { kind: 'update', properties: { n: 'replayed' } }, 'r-3'), extra);
      await send(taskQueue, event(address, { kind: 'update', properties: { city: 'Lyon' } }, 'r-13'), extra);
      const s = await settled(handle, 'the last event', (x) => x.properties.city === 'Lyon');
      assert.equal(s.properties.n, '12', 'the repeat of r-3 was dropped');
      assert.equal(fake.calls.length, callsBefore + 1);
      assert.deepEqual(
        s.failed.map((f) => f.event.eventId),
        ['bad'],
      );
      assert.equal(s.processedEvents, 15);
    });
  });

  it('replays a failed event once its cause is fixed, without overwriting a newer value', async () => {
    const fake = standInActivities(env.client);
    fake.control.reject.add('phone');
    await withWorker(env, { activities: fake.activities }, async ({ taskQueue }) => {
      const address = email();
      const handle = await send(taskQueue, event(address, { kind: 'register', properties: { firstname: 'Re' } }));
      await send(
        taskQueue,
        event(address, { kind: 'update', properties: { phone: '+1 555 0100', jobtitle: 'Old' } }, 'f-1'),
      );
      await settled(handle, 'the failure', (x) => x.status === 'failed');
      await send(taskQueue, event(address, { kind: 'update', properties: { jobtitle: 'New' } }));
      await settled(handle, 'the newer value', (x) => x.properties.jobtitle === 'New');
      fake.control.reject.delete('phone');
      await handle.signal(retryFailedSignal, { eventIds: ['f-1'] });
      const s = await settled(handle, 'the replay', (x) => x.status === 'synced');
      assert.equal(s.properties.jobtitle, 'New');
      assert.equal(s.properties.phone, '+1 555 0100');
      assert.deepEqual(
        fake.calls.at(-1)?.properties,
        { phone: '+1 555 0100' },
        'the replay sent only what is still its',
      );
    });
  });

  it('parks on a broken connection with the step in flight visible, and retries that same step on restore', async () => {
    const fake = standInActivities(env.client);
    fake.control.authBroken = true;
    await withWorker(env, { activities: fake.activities }, async ({ taskQueue }) => {
      const address = email();
      const handle = await send(
        taskQueue,
        event(address, { kind: 'register', properties: { firstname: 'Park' } }, 'p-1'),
      );
      await send(taskQueue, event(address, { kind: 'unsubscribe' }, 'p-2'));
      const blocked = await eventually(
        async () => {
          const s = await state(handle);
          return s.status === 'blocked' ? s : undefined;
        },
        { what: 'the lead to park' },
      );
      assert.deepEqual(
        blocked.pending.map((p) => [p.eventId, p.inFlight ?? false]),
        [
          ['p-1', true],
          ['p-2', false],
        ],
      );
      assert.equal(fake.calls.length, 1, 'no retry storm while parked');
      fake.control.authBroken = false;
      await handle.signal(connectionRestoredSignal);
      const s = await settled(handle, 'the resumed lead', (x) => x.status === 'synced');
      assert.deepEqual(
        fake.calls.map((c) => c.activity),
        ['upsertContact', 'upsertContact', 'unsubscribeLead'],
      );
      assert.equal(s.subscription.unsubscribedFromAll, true);
      assert.deepEqual(s.failed, []);
    });
  });

  it('when idle, continues as new and then waits without a timer; the next event is applied in the new run', async () => {
    const fake = standInActivities(env.client);
    await withWorker(env, { activities: fake.activities }, async ({ taskQueue }) => {
      const address = email();
      const extra = { idleTimeoutMs: 1_000 };
      const handle = await send(
        taskQueue,
        event(address, { kind: 'register', properties: { firstname: 'Idle' } }),
        extra,
      );
      const firstRun = (await handle.describe()).runId;
      await eventually(async () => (await handle.describe()).runId !== firstRun, { what: 'the idle continue-as-new' });
      const idleRun = env.client.workflow.getHandle(handle.workflowId);
      await eventually(
        async () =>
          ((await idleRun.fetchHistory()).events ?? []).some(
            (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
          ),
        { what: 'the idle run to take its first task' },
      );
      const idleEvents = (await idleRun.fetchHistory()).events ?? [];
      assert.ok(
        !idleEvents.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED),
        'the idle run set no timer',
      );
      assert.equal((await state(handle)).properties.firstname, 'Idle');
      await send(taskQueue, event(address, { kind: 'update', properties: { lastname: 'Woken' } }), extra);
      const s = await settled(handle, 'the event after idling', (x) => x.properties.lastname === 'Woken');
      assert.equal(s.processedEvents, 2);
      assert.equal((await handle.describe()).status.name, 'RUNNING');
    });
  });

  it('a GDPR delete ends the workflow with no personal data; events behind it start afresh', async () => {
    const fake = standInActivities(env.client);
    await withWorker(env, { activities: fake.activities }, async ({ taskQueue }) => {
      const address = email();
      const handle = await send(taskQueue, event(address, { kind: 'register', properties: { firstname: 'Gone' } }));
      await settled(handle, 'the register', (x) => x.hubspotId !== undefined);
      await send(taskQueue, event(address, { kind: 'delete' }));
      const result = await handle.result();
      assert.deepEqual(result, { deleted: true, processedEvents: 2 });
      const final = await state(handle);
      assert.equal(final.deleted, true);
      assert.deepEqual(final.properties, {});
      assert.equal(fake.contacts.has(address), false);

      // A delete with a register queued behind it: the register belongs to a fresh lead in a new run.
      let open!: () => void;
      fake.control.gate = new Promise<void>((resolve) => (open = resolve));
      const again = await send(taskQueue, event(address, { kind: 'register', properties: { firstname: 'One' } }));
      await eventually(() => Promise.resolve(fake.calls.at(-1)?.properties?.firstname === 'One'), {
        what: 'the write in flight',
      });
      await send(taskQueue, event(address, { kind: 'delete' }));
      await send(taskQueue, event(address, { kind: 'register', properties: { lastname: 'Two' } }));
      open();
      const anew = await settled(again, 'the fresh lead', (x) => x.properties.lastname === 'Two');
      assert.deepEqual(anew.properties, { lastname: 'Two' });
      assert.equal(anew.deleted, false);
      assert.equal((await again.describe()).status.name, 'RUNNING');
    });
  });
});
