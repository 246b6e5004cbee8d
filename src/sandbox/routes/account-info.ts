import type { FastifyInstance } from 'fastify';
import { addRoute, READ_ACCOUNT_INFO } from '../context.js';
import { ACCOUNT_INFO_BASES } from '../paths.js';
import type { SandboxState } from '../state/sandbox-state.js';

/**
 * The sandbox's account, in the shape of HubSpot's "Retrieve account details" answer (no spec file here; see the
 * README). The time zone is UTC because that is where the sandbox resets its daily limit.
 */
function accountDetails(state: SandboxState) {
  return {
    portalId: state.options.portalId,
    accountType: 'STANDARD',
    timeZone: 'UTC',
    companyCurrency: 'USD',
    additionalCurrencies: [],
    uiDomain: 'app.hubspot.com',
    dataHostingLocation: 'na1',
    utcOffset: '+00:00',
    utcOffsetMilliseconds: 0,
  };
}

export function registerAccountInfoRoutes(app: FastifyInstance, state: SandboxState): void {
  for (const base of ACCOUNT_INFO_BASES) {
    addRoute(
      app,
      'GET',
      `${base}/details`,
      { name: 'accountInfo.details', kind: 'api', scopes: READ_ACCOUNT_INFO },
      async (_request, reply) => reply.send(accountDetails(state)),
    );
  }
}
