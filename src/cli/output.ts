/**
 * A plain column table for people; `--json` prints the data itself instead. A dozen lines of padding are simpler
 * than a table library for rows that are ids, emails and statuses.
 */
export function table(rows: readonly object[], columns: string[]): string {
  const cell = (row: object, column: string) => {
    const value = (row as Record<string, unknown>)[column];
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  };
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r, c))))].join(
    '\n',
  );
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
