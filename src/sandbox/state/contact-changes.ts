import type { ChangeSource } from '../types.js';
import type { PropertyValues } from './contact-store.js';

interface ChangeBase {
  at: Date;
  source: ChangeSource;
}

/** What the contact store reports after each change it makes; the webhooks turn these into HubSpot's events. */
export type ContactChange =
  | (ChangeBase & { kind: 'creation'; contactId: string; properties: PropertyValues })
  /** `properties` holds only the values that changed, as they are now (null: cleared). */
  | (ChangeBase & { kind: 'propertyChange'; contactId: string; properties: PropertyValues })
  | (ChangeBase & { kind: 'deletion'; contactId: string; privacy: boolean })
  | (ChangeBase & { kind: 'merge'; primaryId: string; mergedId: string; propertiesMoved: number });

export type ContactChangeListener = (change: ContactChange) => void;
