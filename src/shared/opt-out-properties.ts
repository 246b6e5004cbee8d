/**
 * HubSpot mirrors a contact's email subscription status onto contact properties: `hs_email_optout` for an opt-out
 * of all email, `hs_email_optout_<subscription id>` for one subscription. They change through opt-outs only.
 */
const OPT_OUT_ALL = 'hs_email_optout';
const OPT_OUT_ONE = /^hs_email_optout_(\d+)$/;

/** The property that shows an opt-out of this subscription, or of all email when none is named. */
export function optOutProperty(subscriptionId?: string): string {
  return subscriptionId === undefined ? OPT_OUT_ALL : `${OPT_OUT_ALL}_${subscriptionId}`;
}

/** What an opt-out property is about: all email (`{}`), one subscription, or undefined for any other property. */
export function optOutOf(name: string): { subscriptionId?: string } | undefined {
  if (name === OPT_OUT_ALL) return {};
  const id = OPT_OUT_ONE.exec(name)?.[1];
  return id === undefined ? undefined : { subscriptionId: id };
}
