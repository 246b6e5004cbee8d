import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Command } from 'commander';
import { defaultCacheDir } from '../../project-paths.js';
import { resolveTemporalCli } from '../../temporal/cli.js';
import type { CliContext } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { serviceSettings } from '../service-api.js';

/**
 * The settings `temporal` needs to reach the service's server with plaintext payloads: the address and namespace
 * the service uses (the embedded dev server unless TEMPORAL_ADDRESS is set), and the service's codec endpoint.
 */
export function temporalEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { url, apiKey } = serviceSettings(env);
  return {
    ...env,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS?.trim() || `localhost:${env.TEMPORAL_DEV_PORT?.trim() || '7233'}`,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE?.trim() || 'default',
    TEMPORAL_CODEC_ENDPOINT: env.TEMPORAL_CODEC_ENDPOINT ?? `${url}/codec`,
    ...(apiKey && !env.TEMPORAL_CODEC_AUTH ? { TEMPORAL_CODEC_AUTH: `Bearer ${apiKey}` } : {}),
  };
}

export function temporalCommand(program: Command, context: CliContext): void {
  program
    .command('temporal')
    .description(
      "Run the Temporal CLI (found or installed as `npm start` does) against the service's server and namespace, " +
        'with payloads decoded by its codec endpoint; e.g. `leadsync temporal workflow list`',
    )
    .argument('[args...]', 'arguments for `temporal` (its own --help included)')
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (args: string[]) => {
      const cli = await resolveTemporalCli({ cacheDir: defaultCacheDir, log: (m) => process.stderr.write(`${m}\n`) });
      if (cli.executable.type !== 'existing-path') {
        throw new CliError(
          'no Temporal CLI binary could be found or installed; set TEMPORAL_CLI_PATH',
          ExitCode.unavailable,
        );
      }
      const child = spawn(cli.executable.path, args, { stdio: 'inherit', env: temporalEnv(process.env) });
      // Ctrl-C reaches the child through the terminal's process group; the CLI only waits for it to end.
      const onStop = () => child.kill('SIGTERM');
      context.stopSignal.addEventListener('abort', onStop);
      const code = await new Promise<number>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (exitCode, signal) => resolve(exitCode ?? 128 + (signal ? os.constants.signals[signal] : 0)));
      });
      context.stopSignal.removeEventListener('abort', onStop);
      context.exitCode(code as never);
    });
}
