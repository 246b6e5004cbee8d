import type { ServiceScenarioOptions } from '../lib/service-scenario.js';
import { burstLimitedCalls, CallSampler } from '../lib/call-sampler.js';
import { benchEmails, registerOverHttp } from '../lib/http-load.js';
import { startBenchService } from '../lib/in-process-service.js';
import { deadlineFor, waitUntil } from '../lib/wait.js';
import type { RateLimit } from '../options.js';

export interface HubSpotBudgetResult {
  scenario: 'hubspot-budget';
  leads: number;
  limit: string;
  seconds: number;
  leadsPerSecond: number;
  batchUpserts: number;
  /** Batch upserts per lead: the brief's "calls per lead". */
  callsPerLead: number;
  /** Every call that counts against the burst limit (429-refused ones included). */
  limitedCalls: number;
  maxCallsInWindow: number;
  /** maxCallsInWindow against the limit's max. */
  budgetShare: number;
  rateLimited: number;
}

/** How much of HubSpot's burst budget registering leads spends, against a sandbox enforcing the limit. */
export async function runHubSpotBudget(
  options: ServiceScenarioOptions & {
    rate: RateLimit;
  },
): Promise<HubSpotBudgetResult> {
  const service = await startBenchService({
    name: 'hubspot-budget',
    temporalAddress: options.temporalAddress,
    workflowBundle: options.workflowBundle,
    env: options.serviceEnv,
    rateLimit: options.rate,
  });
  try {
    const { sandbox } = service;
    const emails = benchEmails('hubspot-budget', options.runId, options.leads);
    const before = sandbox.counters();
    const sampler = new CallSampler(() => burstLimitedCalls(sandbox.counters()));
    const started = performance.now();
    try {
      await registerOverHttp({
        httpUrl: service.httpUrl,
        emails,
        concurrency: options.concurrency,
        lastname: 'budget',
      });
      await waitUntil(() => sandbox.contacts.all().length >= options.leads, {
        what: `${options.leads} contacts in the sandbox`,
        timeoutMs: deadlineFor(options.leads),
        intervalMs: 50,
        progress: () => `${sandbox.contacts.all().length} so far`,
      });
    } finally {
      sampler.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const after = sandbox.counters();
    const batchUpserts =
      (after.requestsByRoute['contacts.batchUpsert'] ?? 0) - (before.requestsByRoute['contacts.batchUpsert'] ?? 0);
    const maxCallsInWindow = sampler.maxInWindow(options.rate.intervalMs);
    return {
      scenario: 'hubspot-budget',
      leads: options.leads,
      limit: `${options.rate.max} per ${options.rate.intervalMs / 1000} s`,
      seconds: Math.round(seconds * 100) / 100,
      leadsPerSecond: Math.round((options.leads / seconds) * 10) / 10,
      batchUpserts,
      callsPerLead: Math.round((batchUpserts / options.leads) * 1000) / 1000,
      limitedCalls: burstLimitedCalls(after) - burstLimitedCalls(before),
      maxCallsInWindow,
      budgetShare: Math.round((maxCallsInWindow / options.rate.max) * 1000) / 1000,
      rateLimited: after.rateLimited - before.rateLimited,
    };
  } finally {
    await service.stop();
  }
}
