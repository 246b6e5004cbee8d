/**
 * `npm run temporal:install`: finds or installs the Temporal CLI the way `npm start` and `npm test` do, so CI
 * and fresh machines pay the install once, up front, and see plainly where the binary came from.
 */
import { defaultCacheDir } from '../src/project-paths.js';
import { resolveTemporalCli, TemporalCliNotFoundError } from '../src/temporal/cli.js';

try {
  const found = await resolveTemporalCli({ cacheDir: defaultCacheDir, log: (m) => console.log(m) });
  for (const a of found.attempts) console.log(`  ${a.step.padEnd(17)} ${a.where}: ${a.outcome}`);
  if (found.executable.type === 'existing-path') {
    console.log(`Temporal CLI ${found.version ?? ''} from ${found.source}: ${found.executable.path}`);
  } else {
    console.log('No local Temporal CLI; the SDK will try to download one when a dev server starts.');
  }
} catch (err) {
  console.error(err instanceof TemporalCliNotFoundError ? err.message : err);
  process.exit(1);
}
