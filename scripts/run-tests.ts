/**
 * `npm test`: one Temporal dev server for the whole run, shared by every test file through
 * LEADSYNC_TEST_TEMPORAL_ADDRESS, then node's test runner over the suite, then a clean teardown.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { startTestTemporal } from '../test/helpers/temporal-server.js';
import { projectRoot } from '../src/project-paths.js';

const program = new Command()
  .name('run-tests')
  .option('--suite <name>', 'main (everything but fidelity) or fidelity', 'main')
  .option('--concurrency <n>', 'test files run at once', '2')
  .argument('[files...]', 'test files to run instead of the whole suite')
  .parse();

const opts = program.opts<{ suite: string; concurrency: string }>();

async function listTests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function main(): Promise<number> {
  const testDir = path.join(projectRoot, 'test');
  const fidelityDir = path.join(testDir, 'fidelity');
  let files = program.args.length > 0 ? program.args.map((f) => path.resolve(f)) : await listTests(testDir);
  if (program.args.length === 0) {
    files =
      opts.suite === 'fidelity'
        ? files.filter((f) => f.startsWith(fidelityDir + path.sep))
        : files.filter((f) => !f.startsWith(fidelityDir + path.sep));
  }
  if (files.length === 0) {
    console.error(`No test files for suite "${opts.suite}".`);
    return 1;
  }

  const needsTemporal = opts.suite !== 'fidelity';
  const server = needsTemporal ? await startTestTemporal() : undefined;
  if (server) console.log(`Temporal dev server for this run: ${server.address} (CLI from ${server.source})`);
  try {
    return await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--test',
          `--test-concurrency=${opts.concurrency}`,
          // A test that hangs fails after this long instead of holding the whole run (and CI) until it is killed.
          '--test-timeout=300000',
          '--test-reporter=spec',
          ...files,
        ],
        {
          stdio: 'inherit',
          env: { ...process.env, ...(server ? { LEADSYNC_TEST_TEMPORAL_ADDRESS: server.address } : {}) },
        },
      );
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await server?.teardown();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
