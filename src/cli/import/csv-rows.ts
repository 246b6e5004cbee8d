import { createReadStream } from 'node:fs';
import { parse, type Info } from 'csv-parse';
import { LeadInputError, parseInput, registerInput } from '../../client/schemas.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { columnMap, type ColumnMap } from './column-map.js';

export interface RowPosition {
  /** 1 for the first row below the header. */
  row: number;
  /** The file line the row starts on (a quoted field may span several). */
  line: number;
}

export type CsvRow =
  | (RowPosition & {
      ok: true;
      lead: { email: string; properties: Record<string, string>; eventId: string };
      values: string[];
    })
  | (RowPosition & { ok: false; issues: LeadInputError['issues']; values: string[] });

export interface CsvRowsOptions {
  mapping: Map<string, string>;
  skipped: Set<string>;
  /** Names the file's content: event ids are `import:<fileId>:<row>`, so the same file gives the same ids. */
  fileId: string;
  /** Bytes of the file read so far, for progress. */
  onBytes?: (bytes: number) => void;
  onHeader?: (header: string[]) => void;
}

const LINE_BREAK = /\r\n|\r|\n/g;

type ParsedRecord = { record: string[]; info: Info };

/**
 * The file's rows, one at a time, each checked with the API's schema. The parser streams, so memory does not grow
 * with the file; a bad row is reported with its position and never stops the rows after it.
 */
export async function* csvRows(file: string, options: CsvRowsOptions): AsyncGenerator<CsvRow> {
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // Stated, not detected: detection takes the first one it meets, and files mix them.
    record_delimiter: ['\r\n', '\n', '\r'],
  });
  const source = createReadStream(file);
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let map: ColumnMap | undefined;
  // A record starts after the empty lines the parser skipped and spans one line more than the line breaks inside
  // its quoted fields (the parser's own line count takes a CRLF inside quotes for two).
  let nextLine = 1;
  let emptyBefore = 0;
  let row = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
      const line = nextLine + info.empty_lines - emptyBefore;
      nextLine = line + 1 + record.reduce((n, value) => n + (value.match(LINE_BREAK)?.length ?? 0), 0);
      emptyBefore = info.empty_lines;
      options.onBytes?.(info.bytes);
      if (!map) {
        map = columnMap(record, options.mapping, options.skipped);
        options.onHeader?.(record);
        continue;
      }
      row++;
      yield toRow(record, map, { row, line }, options.fileId);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`, ExitCode.usage);
    }
    // A quote that never closes leaves the rest of the file unreadable: say where, and stop.
    throw new CliError(`${file}: ${(err as Error).message}`, ExitCode.usage);
  }
  if (!map) throw new CliError(`${file} is empty: expected a header row naming HubSpot properties`, ExitCode.usage);
}

function toRow(values: string[], map: ColumnMap, at: RowPosition, fileId: string): CsvRow {
  if (values.length !== map.header.length) {
    return {
      ...at,
      ok: false,
      values,
      issues: [{ field: '(row)', message: `has ${values.length} fields, the header has ${map.header.length}` }],
    };
  }
  const properties: Record<string, string> = {};
  // An empty cell is no value rather than a value to clear: an import fills leads, it does not blank them.
  for (const [index, property] of map.properties) if (values[index] !== '') properties[property] = values[index]!;
  try {
    const lead = parseInput(registerInput, {
      email: values[map.emailIndex],
      properties,
      eventId: `import:${fileId}:${at.row}`,
    });
    return { ...at, ok: true, values, lead: { email: lead.email, properties, eventId: lead.eventId! } };
  } catch (err) {
    if (!(err instanceof LeadInputError)) throw err;
    return {
      ...at,
      ok: false,
      values,
      issues: err.issues.map((issue) => ({ ...issue, field: columnOf(issue.field, map) })),
    };
  }
}

/** `properties.jobtitle` is the column the user sees, e.g. `Job Title`. */
function columnOf(field: string, map: ColumnMap): string {
  if (field === 'email') return map.header[map.emailIndex]!;
  const property = field.replace(/^properties\./, '');
  for (const [index, name] of map.properties) if (name === property) return map.header[index]!;
  return field;
}
