import { config as loadDotenv } from 'dotenv';
import { Command, CommanderError } from 'commander';
import { leadCommands } from './commands/leads.js';
import { importCommand } from './commands/import.js';
import { portalsCommand } from './commands/portals.js';
import { temporalCommand } from './commands/temporal.js';
import { cliContext } from './context.js';
import { CliError, ExitCode } from './exit-codes.js';

/** `leadsync`: the operator's command, talking to a running service over its HTTP API. */
export async function main(argv: string[]): Promise<number> {
  loadDotenv({ quiet: true });
  let exitCode = 0;
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(ExitCode.interrupted);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const context = cliContext(stop.signal, (code) => (exitCode = code));
  const program = new Command('leadsync')
    .description(
      'Operate HubSpot Lead Sync: import leads, look at and repair leads, list portals. Talks to the service at ' +
        'LEADSYNC_URL (default http://localhost:3000) with LEADSYNC_API_KEY.',
    )
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  program.addHelpText(
    'after',
    '\nExit codes: 0 done; 1 not everything made it; 2 bad arguments or input; 3 service unreachable; ' +
      '4 lead not found; 5 API key refused; 130 interrupted.',
  );
  importCommand(program, context);
  leadCommands(program, context);
  portalsCommand(program, context);
  temporalCommand(program, context);
  for (const command of program.commands) command.exitOverride();

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : ExitCode.usage;
    if (err instanceof CliError) {
      process.stderr.write(`leadsync: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`leadsync: ${(err as Error).message}\n`);
    return ExitCode.unavailable;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
