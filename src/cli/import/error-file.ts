import { createWriteStream, type WriteStream } from 'node:fs';
import { stringify, type Stringifier } from 'csv-stringify';
import { CliError, ExitCode } from '../exit-codes.js';
import type { RowPosition } from './csv-rows.js';

/**
 * `--errors FILE`: every row that did not make it, as a CSV of its position, the reason and its original values
 * (when the row was read from the file), written as they come so memory stays flat.
 */
export class ErrorFile {
  private readonly csv: Stringifier;
  private readonly out: WriteStream;
  private readonly closed: Promise<void>;

  constructor(
    readonly file: string,
    header: string[],
  ) {
    this.out = createWriteStream(file);
    this.csv = stringify({ header: true, columns: ['line', 'row', 'field', 'reason', ...header] });
    this.csv.pipe(this.out);
    this.closed = new Promise((resolve, reject) => {
      this.out.on('finish', resolve);
      this.out.on('error', (err) => reject(new CliError(`cannot write ${file}: ${err.message}`, ExitCode.usage)));
    });
    this.closed.catch(() => undefined);
  }

  add(at: RowPosition, issues: Array<{ field: string; message: string }>, values: string[] = []): void {
    const field = issues.map((i) => i.field).join('; ');
    const reason = issues.map((i) => i.message).join('; ');
    this.csv.write([at.line, at.row, field, reason, ...values]);
  }

  async close(): Promise<void> {
    this.csv.end();
    await this.closed;
  }
}
