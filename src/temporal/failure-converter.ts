import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages can quote HubSpot's answers about a lead (its email, its properties); encoding them makes
 * the payload codec encrypt them like any other payload.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
