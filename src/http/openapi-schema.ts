/**
 * Zod schemas as OpenAPI 3.1 schema objects (JSON Schema 2020-12), through zod's own `z.toJSONSchema`. Requests are
 * converted as input (what a caller sends: before trims, transforms and defaults), answers as output. What JSON
 * Schema cannot say is still said: a refinement's message goes into the description, and a pipe into an email
 * check keeps its format.
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** The text a refinement reports when it fails; refinements with a computed message are left out. */
function messageOf(check: z.core.$ZodCheck<never>): string | undefined {
  const answer = check._zod.def.error?.({ code: 'custom', input: undefined } as never);
  return typeof answer === 'string' ? answer : (answer?.message ?? undefined);
}

function describeRefinements(ctx: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }): void {
  const { def } = ctx.zodSchema._zod;
  const rules = (def.checks ?? [])
    .filter((check) => check._zod.def.check === 'custom')
    .flatMap((c) => messageOf(c) ?? []);
  if (rules.length > 0) {
    const known = typeof ctx.jsonSchema.description === 'string' ? `${ctx.jsonSchema.description}. ` : '';
    ctx.jsonSchema.description = `${known}Also checked by the server: ${rules.join('; ')}.`;
  }
  if (def.type === 'pipe') {
    const format = ((def as z.core.$ZodPipeDef).out._zod.def as { format?: unknown }).format;
    if (typeof format === 'string') ctx.jsonSchema.format = format;
  }
}

export function openApiSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json: JsonSchema = z.toJSONSchema(schema, {
    io,
    override: describeRefinements,
    // Nothing in the API's schemas is unrepresentable today; a future one is documented as such, never dropped.
    unrepresentable: () => ({ description: 'checked by the server; JSON Schema cannot express this rule' }),
  });
  // OpenAPI 3.1 reads schema objects as JSON Schema 2020-12 already: the per-schema dialect is noise.
  delete json.$schema;
  return json;
}

/** An object schema's fields as OpenAPI parameters (`in: query` or `in: path`), each with its own schema. */
export function openApiParameters(schema: z.ZodObject, where: 'query' | 'path'): JsonSchema[] {
  const json = openApiSchema(schema, 'input');
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, JsonSchema>).map(([name, fieldSchema]) => {
    const { description, ...rest } = fieldSchema;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}
