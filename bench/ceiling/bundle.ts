import { bundleWorkflowCode } from '@temporalio/worker';
import { siblingModule } from '../../src/project-paths.js';
import { failureConverterPath } from '../../src/temporal/data-converter.js';

const silent = () => undefined;

/** The ceiling's own tiny bundle, with the service's failure converter so both encode failures alike. */
export function bundleCeilingWorkflows(): Promise<{ code: string }> {
  return bundleWorkflowCode({
    workflowsPath: siblingModule(import.meta.url, './workflows.js'),
    failureConverterPath,
    logger: { trace: silent, debug: silent, info: silent, log: silent, warn: silent, error: (m) => console.error(m) },
  });
}
