/** What every scenario that runs the service is given by `bench/run.ts`. */
export interface ServiceScenarioOptions {
  temporalAddress: string;
  workflowBundle: { code: string };
  /** Service settings under test (`--service-env`), e.g. LEADSYNC_WORKFLOW_CACHE_SIZE. */
  serviceEnv: Record<string, string>;
  runId: string;
  leads: number;
  concurrency: number;
}
