import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, standardError } from '../errors.js';
import type { PropertyValues } from '../state/contact-store.js';
import type { SandboxState } from '../state/sandbox-state.js';
import type { ChangeSource, ContactRecord } from '../types.js';
import { subscriptionProperties } from '../preferences/mirror.js';
import {
  checkProperties,
  invalidEmailProblem,
  isValidEmail,
  propertyErrorBody,
  propertyStandardError,
  type PropertyProblem,
} from './properties.js';

export interface Rejection {
  status: number;
  category: string;
  message: string;
  problems?: PropertyProblem[];
  context?: Record<string, string[]>;
}

export type WriteResult = { ok: true; contact: ContactRecord; isNew: boolean } | { ok: false; rejection: Rejection };

const rejected = (rejection: Rejection): WriteResult => ({ ok: false, rejection });
const invalid = (problems: PropertyProblem[]): WriteResult =>
  rejected({ status: 400, category: 'VALIDATION_ERROR', message: 'Property values were not valid', problems });

export function sendRejection(request: FastifyRequest, reply: FastifyReply, rejection: Rejection): FastifyReply {
  const { correlationId } = request.sandbox;
  const body = rejection.problems
    ? propertyErrorBody(correlationId, rejection.problems)
    : errorBody(
        correlationId,
        rejection.category,
        rejection.message,
        rejection.context ? { context: rejection.context } : {},
      );
  return reply.code(rejection.status).send(body);
}

/** A rejection as one entry of a batch answer's `errors`, tagged with the input's id. */
export function batchError(rejection: Rejection, id: string | undefined) {
  const context = { ...rejection.context, ...(id === undefined ? {} : { ids: [id] }) };
  return rejection.problems
    ? propertyStandardError(rejection.problems, context)
    : standardError(rejection.category, rejection.message, { context });
}

/** The create / update / upsert rules shared by the single and batch endpoints. */
export class ContactWriter {
  /** A live view: the Properties API can add names at any time. */
  readonly known: ReadonlySet<string>;

  constructor(private readonly state: SandboxState) {
    this.known = state.properties.writable();
  }

  create(values: PropertyValues, now: Date, source: ChangeSource): WriteResult {
    const problems = checkProperties(values, this.known);
    if (problems.length) return invalid(problems);
    const email = values.email?.trim().toLowerCase();
    if (email) {
      const conflict = this.emailConflict(email, undefined);
      if (conflict) return conflict;
    }
    // An address can have subscription statuses before it has a contact; the new contact shows them at once.
    const mirrored = email ? subscriptionProperties(this.state.subscriptions, email, {}) : {};
    return { ok: true, contact: this.state.contacts.create({ ...values, ...mirrored }, now, source), isNew: true };
  }

  update(contact: ContactRecord, values: PropertyValues, now: Date, source: ChangeSource): WriteResult {
    const problems = checkProperties(values, this.known);
    if (problems.length) return invalid(problems);
    const email = values.email?.trim().toLowerCase();
    if (email && email !== contact.properties.email) {
      const conflict = this.emailConflict(email, contact.id);
      if (conflict) return conflict;
    }
    return { ok: true, contact: this.state.contacts.update(contact, values, now, source), isNew: false };
  }

  upsert(
    id: string,
    idProperty: string | undefined,
    values: PropertyValues,
    now: Date,
    source: ChangeSource,
  ): WriteResult {
    if (idProperty === 'email') {
      if (!isValidEmail(id)) return invalid([invalidEmailProblem(id)]);
      const existing = this.state.contacts.findByEmail(id);
      const keyed = { ...values, email: id };
      return existing ? this.update(existing, keyed, now, source) : this.create(keyed, now, source);
    }
    if (idProperty === undefined || idProperty === 'hs_object_id') {
      const existing = this.state.contacts.findById(id);
      if (existing) return this.update(existing, values, now, source);
      return rejected({ status: 404, category: 'OBJECT_NOT_FOUND', message: `Could not find a contact with id ${id}` });
    }
    if (!this.known.has(idProperty)) {
      return invalid([
        { code: 'PROPERTY_DOESNT_EXIST', name: idProperty, message: `Property "${idProperty}" does not exist` },
      ]);
    }
    return rejected({
      status: 400,
      category: 'VALIDATION_ERROR',
      message: `Property "${idProperty}" is not a unique property and cannot be used as idProperty`,
    });
  }

  private emailConflict(email: string, selfId: string | undefined): WriteResult | undefined {
    if (this.state.blocklist.has(email)) {
      return rejected({
        status: 400,
        category: 'VALIDATION_ERROR',
        message: `Email address ${email} was permanently deleted (GDPR) and is blocklisted`,
        context: { email: [email] },
      });
    }
    const existing = this.state.contacts.findByEmail(email);
    if (existing && existing.id !== selfId) {
      return rejected({
        status: 409,
        category: 'CONFLICT',
        message: `Contact already exists. Existing ID: ${existing.id}`,
      });
    }
    return undefined;
  }
}
