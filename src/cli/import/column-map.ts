import { parseInput, registerInput, LeadInputError } from '../../client/schemas.js';
import { CliError, ExitCode } from '../exit-codes.js';

/** How the file's columns become a lead: which column is the email, and which HubSpot property each other one fills. */
export interface ColumnMap {
  emailIndex: number;
  /** Property per column index; columns not listed are skipped. */
  properties: Map<number, string>;
  header: string[];
}

/** `--map "Job Title=jobtitle"`: a header that is not a HubSpot property name, and the property it fills. */
export function parseMapping(values: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    const at = value.lastIndexOf('=');
    if (at <= 0) throw new CliError(`--map ${value}: expected COLUMN=PROPERTY`, ExitCode.usage);
    map.set(value.slice(0, at).trim(), value.slice(at + 1).trim());
  }
  return map;
}

/**
 * The header's property names go through the API's own schema once, with a stand-in value, so a bad column is
 * reported by name before any row is read instead of once per row.
 */
export function columnMap(header: string[], mapping: Map<string, string>, skipped: Set<string>): ColumnMap {
  const problems: string[] = [];
  for (const column of [...mapping.keys(), ...skipped]) {
    if (!header.includes(column))
      problems.push(`column ${JSON.stringify(column)} (from --map or --skip) is not in the header`);
  }
  const properties = new Map<number, string>();
  let emailIndex = -1;
  const seen = new Map<string, string>();
  header.forEach((column, index) => {
    if (skipped.has(column)) return;
    const property = mapping.get(column) ?? column.trim();
    const earlier = seen.get(property);
    if (earlier !== undefined) {
      problems.push(`columns ${JSON.stringify(earlier)} and ${JSON.stringify(column)} both fill ${property}`);
      return;
    }
    seen.set(property, column);
    if (property === 'email') emailIndex = index;
    else properties.set(index, property);
  });
  if (emailIndex < 0) problems.push('no email column: name one "email", or use --map COLUMN=email');
  const sample = Object.fromEntries([...properties.values()].map((p) => [p, 'x']));
  try {
    parseInput(registerInput, { email: 'header-check@example.com', properties: sample });
  } catch (err) {
    if (!(err instanceof LeadInputError)) throw err;
    for (const issue of err.issues) {
      const property = issue.field.replace(/^properties\.?/, '');
      const column = property ? (seen.get(property) ?? property) : '';
      problems.push(
        column
          ? `column ${JSON.stringify(column)}: ${issue.message}${column === property ? ' (use --map or --skip)' : ''}`
          : `columns: ${issue.message}`,
      );
    }
  }
  if (problems.length > 0)
    throw new CliError(`the CSV header cannot be imported:\n  ${problems.join('\n  ')}`, ExitCode.usage);
  return { emailIndex, properties, header };
}
