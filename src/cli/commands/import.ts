import type { Command } from 'commander';
import { CliError, ExitCode } from '../exit-codes.js';
import { print, printJson } from '../output.js';
import { parseMapping } from '../import/column-map.js';
import { runImport, type ImportSummary } from '../import/run-import.js';
import type { CliContext } from '../context.js';
import { positiveInt, repeatable } from '../options.js';

interface ImportFlags {
  map: string[];
  skip: string[];
  wait?: boolean;
  errors?: string;
  json?: boolean;
  portal?: string;
  batchSize: number;
  inFlight: number;
  window: number;
  progress: boolean;
  check?: boolean;
}

export function importCommand(program: Command, context: CliContext): void {
  program
    .command('import')
    .description(
      'Import leads from a CSV file: the header names HubSpot properties, an email column is required. ' +
        'Running the same file again changes nothing.',
    )
    .argument('<file>', 'CSV file (UTF-8, a BOM and CRLF line ends are fine)')
    .option(
      '--map <column=property>',
      'fill a HubSpot property from a column with another name (repeatable)',
      repeatable,
      [],
    )
    .option('--skip <column>', 'leave a column out (repeatable)', repeatable, [])
    .option('--wait', 'return only when every accepted row is synced to HubSpot or failed')
    .option('--check', 'only read and check every row (with --errors, list the bad ones); send nothing')
    .option('--errors <file>', 'write the rows that did not make it, with their reasons, to this CSV file')
    .option('--portal <portalId>', 'the HubSpot portal (default: the service’s)')
    .option('--json', 'print the summary as one JSON object')
    .option('--batch-size <n>', 'rows per request to the service (at most 500)', positiveInt(500), 100)
    .option('--in-flight <n>', 'requests in flight', positiveInt(16), 2)
    .option(
      '--window <n>',
      'rows on their way to HubSpot at most; keep it below the worker cache (LEADSYNC_WORKFLOW_CACHE_SIZE)',
      positiveInt(100_000),
      200,
    )
    .option('--no-progress', 'no progress bar or progress lines on stderr')
    .action(async (file: string, flags: ImportFlags) => {
      const summary = await runImport(context.api(), {
        file,
        mapping: parseMapping(flags.map),
        skipped: new Set(flags.skip),
        wait: flags.wait ?? false,
        errorsFile: flags.errors,
        portalId: flags.portal,
        batchSize: flags.batchSize,
        maxInFlight: flags.inFlight,
        window: flags.window,
        checkOnly: flags.check,
        progress: { enabled: flags.progress, tty: process.stderr.isTTY === true },
        signal: context.stopSignal,
      });
      if (flags.json) printJson(summary);
      else print(describe(summary));
      if (summary.interrupted) throw new CliError('import interrupted; run it again to finish', ExitCode.interrupted);
      if (!summary.complete) context.exitCode(ExitCode.incomplete);
    });
}

function describe(s: ImportSummary): string {
  if (s.checkOnly) {
    return `${s.file}: ${s.rows} rows checked, ${s.accepted} valid, ${s.invalid} invalid; nothing was sent${s.errorsFile ? `\nbad rows: ${s.errorsFile}` : ''}`;
  }
  const lines = [
    `${s.file}: ${s.rows} rows, ${s.accepted} accepted, ${s.invalid} invalid, ${s.synced} synced, ${s.failed} failed, ${s.pending} pending`,
    `${s.seconds} s, ${s.rowsPerSecond} rows/s${s.pending > 0 ? ' (the pending rows sync on; add --wait to wait for them)' : ''}`,
  ];
  if (s.errorsFile) lines.push(`rows that did not make it: ${s.errorsFile}`);
  else if (!s.complete) lines.push('add --errors FILE to get the rows that did not make it, with their reasons');
  return lines.join('\n');
}
