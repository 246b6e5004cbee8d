import type { SandboxCounters } from '../types.js';

export function emptyCounters(): SandboxCounters {
  return {
    requestsByRoute: {},
    rateLimited: 0,
    expiredTokenUses: 0,
    unknownTokenUses: 0,
    refreshes: 0,
    tokenEndpointCalls: 0,
    writesApplied: 0,
    dropped: 0,
    injectedErrors: 0,
  };
}

export function copyCounters(counters: SandboxCounters): SandboxCounters {
  return { ...counters, requestsByRoute: { ...counters.requestsByRoute } };
}
