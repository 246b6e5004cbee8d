/** What the backend is told about a change made inside HubSpot. */
export type DeliveryType = 'lead.updated' | 'lead.unsubscribed' | 'lead.resubscribed' | 'lead.deleted';

/**
 * The JSON body POSTed to `LEADSYNC_BACKEND_WEBHOOK_URL`, signed in the `LeadSync-Signature` header. `id` is stable
 * across redeliveries, so the backend can drop repeats.
 */
export interface BackendDelivery {
  id: string;
  type: DeliveryType;
  portalId: string;
  email: string;
  hubspotId?: string;
  /** Property names and their new values in HubSpot; `null` means HubSpot cleared the value. */
  changes: Record<string, string | null>;
  source: 'hubspot';
  /** When HubSpot says the change happened (ISO 8601). */
  occurredAt: string;
  /** Only on `lead.deleted`: true when HubSpot deleted the contact for privacy (GDPR) reasons. */
  gdpr?: boolean;
}
