import { condition, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { CeilingActivities } from './activities.js';
import { ceilingEventSignal, type CeilingEvent, type CeilingInput } from './messages.js';

const regular = proxyActivities<CeilingActivities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<CeilingActivities>({ startToCloseTimeout: '1 minute' });

/** Our lead workflow's shape with nothing inside: woken by one signal, one activity, then done. */
export async function ceilingLead(input: CeilingInput): Promise<void> {
  let event: CeilingEvent | undefined;
  setHandler(ceilingEventSignal, (received) => {
    event ??= received;
  });
  await condition(() => event !== undefined);
  const activities = input.activity === 'local' ? local : regular;
  await activities.applyEvent({ event: event! });
}
