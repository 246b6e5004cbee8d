import { defineSignal } from '@temporalio/workflow';

/** About the size of a lead's register event, so the codec encrypts a comparable payload. */
export interface CeilingEvent {
  eventId: string;
  email: string;
  properties: Record<string, string>;
  receivedAt: string;
}

export interface CeilingInput {
  email: string;
  activity: 'regular' | 'local';
}

export const ceilingEventSignal = defineSignal<[CeilingEvent]>('ceilingEvent');
