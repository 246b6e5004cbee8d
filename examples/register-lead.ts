/**
 * The backend's side, as in the README quick start: register a lead, change it, unsubscribe it, read it back.
 *   LEADSYNC_ENCRYPTION_KEY=$(cat .data/encryption-key) npx tsx examples/register-lead.ts ada@example.com
 */
import { LeadSyncClient } from '../src/client/index.js';

const email = process.argv[2] ?? 'ada@example.com';
const leads = await LeadSyncClient.connect({ portalId: process.env.HUBSPOT_PORTAL_ID ?? '62515' });

console.log(await leads.register({ email, properties: { firstname: 'Ada', lastname: 'Lovelace' } }));
console.log(await leads.update({ email, properties: { jobtitle: 'Analyst' } }));
console.log(
  await leads.unsubscribe({ email, legalBasis: 'CONSENT_WITH_NOTICE', legalBasisExplanation: 'asked by email' }),
);

// Writes return once Temporal has the event; HubSpot hears of it moments later, in order.
for (let i = 0; i < 50; i++) {
  const state = await leads.status(email);
  if (state && state.pending.length === 0 && state.subscription.unsubscribedFromAll) {
    console.log(JSON.stringify(state, null, 2));
    process.exit(0);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
console.error('the lead did not settle within 10 s; see the Temporal UI');
process.exit(1);
