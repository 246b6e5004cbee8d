import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../../src/project-paths.js';

/** A string-valued field somewhere inside a payload type, by its path from the payload's root (`.a[].b`). */
export interface PayloadField {
  path: string;
  name: string;
}

/** One kind of payload Temporal stores: a message's arguments or answer, a workflow's input, an activity's result. */
export interface StoredPayloadType {
  /** For example `update forceRefresh args`, `workflow hubspotConnection input`, `activity refreshAccessToken result`. */
  label: string;
  fields: PayloadField[];
}

const source = (file: string) => path.join(projectRoot, file);
const MESSAGES = source('src/shared/messages.ts');
const WORKFLOWS = source('src/workflows/index.ts');
const ACTIVITIES = source('src/activities/index.ts');

/**
 * Reads the payload types from the source with the TypeScript checker, so a message, workflow or activity added
 * tomorrow is seen without anyone listing it: every `define{Signal,Update,Query}` of src/shared/messages.ts, every
 * workflow src/workflows/index.ts exports (its input is also its continue-as-new input), every activity of
 * `Activities` (src/activities/index.ts).
 */
export function storedPayloadTypes(): StoredPayloadType[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    source('tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  const program = ts.createProgram([MESSAGES, WORKFLOWS, ACTIVITIES], config!.options);
  const checker = program.getTypeChecker();
  const fields = (type: ts.Type) => stringFields(checker, type);
  const moduleExports = (file: string) =>
    checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!);
  const signature = (type: ts.Type) => checker.getSignaturesOfType(type, ts.SignatureKind.Call)[0]!;
  const parameters = (sig: ts.Signature) =>
    sig.getParameters().map((p) => checker.getTypeOfSymbol(p)) as readonly ts.Type[];
  const all = (types: readonly ts.Type[]) => types.flatMap(fields);

  const out: StoredPayloadType[] = [];
  ts.forEachChild(program.getSourceFile(MESSAGES)!, function visit(node) {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.typeArguments) {
      const kind = /^define(Signal|Update|Query)$/.exec(node.expression.text)?.[1]?.toLowerCase();
      const name = node.arguments[0];
      if (kind && name && ts.isStringLiteral(name)) {
        const types = node.typeArguments.map((t) => checker.getTypeFromTypeNode(t));
        const args = kind === 'signal' ? types[0] : types[1];
        if (args)
          out.push({
            label: `${kind} ${name.text} args`,
            fields: all(checker.getTypeArguments(args as ts.TypeReference)),
          });
        if (kind !== 'signal') out.push({ label: `${kind} ${name.text} result`, fields: fields(types[0]!) });
      }
    }
    ts.forEachChild(node, visit);
  });
  for (const symbol of moduleExports(WORKFLOWS)) {
    const workflow = checker.getAliasedSymbol(symbol);
    const sig = signature(checker.getTypeOfSymbol(workflow));
    out.push({ label: `workflow ${workflow.name} input`, fields: all(parameters(sig)) });
    out.push({
      label: `workflow ${workflow.name} result`,
      fields: fields(checker.getAwaitedType(sig.getReturnType())!),
    });
  }
  const activitiesType = moduleExports(ACTIVITIES).find((s) => s.name === 'Activities')!;
  for (const activity of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(activitiesType))) {
    const sig = signature(checker.getTypeOfSymbol(activity));
    out.push({ label: `activity ${activity.name} input`, fields: all(parameters(sig)) });
    out.push({
      label: `activity ${activity.name} result`,
      fields: fields(checker.getAwaitedType(sig.getReturnType())!),
    });
  }
  return out;
}

function stringFields(checker: ts.TypeChecker, root: ts.Type): PayloadField[] {
  const out: PayloadField[] = [];
  const ancestors = new Set<ts.Type>();
  const holdsString = (t: ts.Type): boolean =>
    t.isUnion() ? t.types.some(holdsString) : (t.flags & ts.TypeFlags.StringLike) !== 0;
  const visit = (t: ts.Type, at: string) => {
    if (ancestors.has(t)) return;
    ancestors.add(t);
    if (t.isUnion() || t.isIntersection()) {
      for (const member of t.types) visit(member, at);
    } else if (checker.isArrayType(t) || checker.isTupleType(t)) {
      for (const element of checker.getTypeArguments(t as ts.TypeReference)) visit(element, `${at}[]`);
    } else if (t.flags & ts.TypeFlags.Object && checker.getSignaturesOfType(t, ts.SignatureKind.Call).length === 0) {
      for (const property of checker.getPropertiesOfType(t)) {
        const type = checker.getTypeOfSymbol(property);
        const where = `${at}.${property.name}`;
        if (holdsString(type)) out.push({ path: where, name: property.name });
        visit(type, where);
      }
      const index = checker.getIndexTypeOfType(t, ts.IndexKind.String);
      if (index) visit(index, `${at}[*]`);
    }
    ancestors.delete(t);
  };
  visit(root, '');
  return out;
}
