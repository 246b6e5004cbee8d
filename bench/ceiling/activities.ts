import type { CeilingEvent } from './messages.js';

export interface CeilingActivities {
  applyEvent(input: { event: CeilingEvent }): Promise<{ eventId: string }>;
}

/** Does no work at all, so what the ceiling measures is Temporal and the codec alone. */
export function createCeilingActivities(): CeilingActivities {
  return {
    applyEvent: ({ event }) => Promise.resolve({ eventId: event.eventId }),
  };
}
