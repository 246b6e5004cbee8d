import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveTemporalCli } from '../../src/temporal/cli.js';
import { defaultCacheDir } from '../../src/project-paths.js';
import { searchAttributeKeys } from '../../src/shared/search-attributes.js';

let runtimeInstalled = false;

/** Keeps test output readable: the SDK and Core only speak up for warnings. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

export interface TestTemporal {
  address: string;
  source: string;
  env: TestWorkflowEnvironment;
  teardown(): Promise<void>;
}

/** Starts a real Temporal CLI dev server with the service's search attributes registered. */
export async function startTestTemporal(): Promise<TestTemporal> {
  installQuietRuntime();
  const cli = await resolveTemporalCli({ cacheDir: defaultCacheDir, log: (m) => console.log(m) });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli.executable,
      ip: '127.0.0.1',
      ui: false,
      searchAttributes: searchAttributeKeys,
      log: { format: 'pretty', level: 'never' },
    },
  });
  return { address: env.address, source: cli.source, env, teardown: () => env.teardown() };
}
