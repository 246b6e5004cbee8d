import { errorBody, standardError, type ErrorDetail } from '../errors.js';
import { READ_ONLY_PROPERTIES } from '../options.js';
import type { PropertyValues } from '../state/contact-store.js';
import { isSubscriptionProperty } from './property-names.js';

// Deliberately loose, like HubSpot's own check: one @, no spaces, a dot in the domain.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isValidEmail = (email: string): boolean => EMAIL_PATTERN.test(email.trim());

export interface PropertyProblem {
  code: 'PROPERTY_DOESNT_EXIST' | 'INVALID_EMAIL' | 'READ_ONLY_VALUE';
  name: string;
  message: string;
}

export function toPropertyValues(raw: Record<string, string | number | boolean | null>): PropertyValues {
  const values: PropertyValues = {};
  for (const [name, value] of Object.entries(raw)) values[name] = value === null ? null : String(value);
  return values;
}

export function checkProperties(values: PropertyValues, known: ReadonlySet<string>): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (READ_ONLY_PROPERTIES.includes(name) || isSubscriptionProperty(name)) {
      problems.push({
        code: 'READ_ONLY_VALUE',
        name,
        message: `"${name}" is a read only property; its value cannot be set.`,
      });
    } else if (!known.has(name)) {
      problems.push({ code: 'PROPERTY_DOESNT_EXIST', name, message: `Property "${name}" does not exist` });
    } else if (name === 'email' && value !== null && value !== '' && !isValidEmail(value)) {
      problems.push({ code: 'INVALID_EMAIL', name, message: `Email address ${value} is invalid` });
    }
  }
  return problems;
}

export function invalidEmailProblem(email: string): PropertyProblem {
  return { code: 'INVALID_EMAIL', name: 'email', message: `Email address ${email} is invalid` };
}

/** HubSpot packs the per-property results as JSON into the message; `errors` carries the same, structured. */
function problemsMessage(problems: PropertyProblem[]): string {
  const results = problems.map((problem) => ({
    isValid: false,
    message: problem.message,
    error: problem.code,
    name: problem.name,
    localizedErrorMessage: problem.message,
  }));
  return `Property values were not valid: ${JSON.stringify(results)}`;
}

function problemDetails(problems: PropertyProblem[]): ErrorDetail[] {
  return problems.map((problem) => ({
    message: problem.message,
    code: problem.code,
    context: { propertyName: [problem.name] },
  }));
}

export function propertyErrorBody(correlationId: string, problems: PropertyProblem[]) {
  return errorBody(correlationId, 'VALIDATION_ERROR', problemsMessage(problems), { errors: problemDetails(problems) });
}

export function propertyStandardError(problems: PropertyProblem[], context: Record<string, string[]>) {
  return standardError('VALIDATION_ERROR', problemsMessage(problems), {
    errors: problemDetails(problems),
    context: { ...context, propertyName: problems.map((problem) => problem.name) },
  });
}
