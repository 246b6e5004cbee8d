import type { ServiceScenarioOptions } from '../lib/service-scenario.js';
import { benchEmails, registerOverHttp } from '../lib/http-load.js';
import { startBenchService } from '../lib/in-process-service.js';
import { mib, PeakRss } from '../lib/memory.js';
import { deadlineFor, waitUntil } from '../lib/wait.js';

export interface HttpRegisterResult {
  scenario: 'http-register';
  leads: number;
  concurrency: number;
  /** Until the last 202: Temporal holds every event. */
  acceptedSeconds: number;
  /** Until the sandbox holds every lead's contact. */
  seconds: number;
  leadsPerSecond: number;
  batchUpserts: number;
  rateLimited: number;
  peakRssMiB: number;
}

/** New leads through the HTTP API into HubSpot (the sandbox, its rate limit out of the way), end to end. */
export async function runHttpRegister(options: ServiceScenarioOptions): Promise<HttpRegisterResult> {
  const service = await startBenchService({
    name: 'http-register',
    temporalAddress: options.temporalAddress,
    workflowBundle: options.workflowBundle,
    env: options.serviceEnv,
    rateLimit: { max: 100_000, intervalMs: 10_000 },
  });
  try {
    const { sandbox } = service;
    const emails = benchEmails('http-register', options.runId, options.leads);
    global.gc?.();
    const before = sandbox.counters();
    const peak = new PeakRss();
    const started = performance.now();
    await registerOverHttp({ httpUrl: service.httpUrl, emails, concurrency: options.concurrency, lastname: 'http' });
    const accepted = performance.now();
    await waitUntil(() => sandbox.contacts.all().length >= options.leads, {
      what: `${options.leads} contacts in the sandbox`,
      timeoutMs: deadlineFor(options.leads),
      intervalMs: 50,
      progress: () => `${sandbox.contacts.all().length} so far`,
    });
    const seconds = (performance.now() - started) / 1000;
    const peakRss = peak.stop();
    const after = sandbox.counters();
    return {
      scenario: 'http-register',
      leads: options.leads,
      concurrency: options.concurrency,
      acceptedSeconds: Math.round(((accepted - started) / 1000) * 100) / 100,
      seconds: Math.round(seconds * 100) / 100,
      leadsPerSecond: Math.round((options.leads / seconds) * 10) / 10,
      batchUpserts:
        (after.requestsByRoute['contacts.batchUpsert'] ?? 0) - (before.requestsByRoute['contacts.batchUpsert'] ?? 0),
      rateLimited: after.rateLimited - before.rateLimited,
      peakRssMiB: mib(peakRss),
    };
  } finally {
    await service.stop();
  }
}
