import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const DEFS_REF = '"#/$defs/';
const COMPONENTS_REF = '"#/components/schemas/';

/**
 * zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect), with schemas named by `.meta({ id })`
 * gathered as `components.schemas` and referenced from there, so a client generator gets one
 * named type per model (`Item`, `Problem`).
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /**
   * `input` for what a client sends (a field with a default is optional); `output` for what the
   * server answers, and for query/path/header values, whose schemas parse strings into the typed
   * value (`?limit=20` is documented as the integer it must be).
   */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const { $defs, ...root } = withoutDialect(z.toJSONSchema(schema, { io }));
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      const named = relink(def);
      const known = this.schemas[id];
      // One id, two shapes (input and output differ): the document would lie about one of them.
      if (known && JSON.stringify(known) !== JSON.stringify(named)) {
        throw new Error(`schema id ${id} is used with two different shapes`);
      }
      this.schemas[id] = named;
    }
    return relink(root);
  }
}

/** A self-contained output schema (no references, no descriptions) for fast-json-stringify. */
export function serializationSchema(schema: z.ZodType): JsonSchema {
  // An empty registry hides the ids and descriptions: every model is inlined.
  return withoutDialect(z.toJSONSchema(schema, { io: 'output', metadata: z.registry() }));
}

/**
 * The top-level fields of a body schema that take an integer (`integer` in its JSON Schema,
 * alone or as one of its `anyOf`): where the admin listener refuses a number JSON.parse rounded
 * to an integer the literal does not denote (protocol/json.body-parser.ts). A field that takes
 * any number (`errorRate`, `share`) reads its literal as the double nearest it, as JSON does.
 */
export function integerProperties(schema: z.ZodType): ReadonlySet<string> {
  const { properties = {} } = z.toJSONSchema(schema, { io: 'input' }) as {
    properties?: Record<string, JsonSchema>;
  };
  return new Set(Object.keys(properties).filter((name) => takesInteger(properties[name]!)));
}

function takesInteger(schema: JsonSchema): boolean {
  if (schema.type === 'integer') return true;
  return (schema.anyOf as JsonSchema[] | undefined)?.some(takesInteger) ?? false;
}

/** `$schema` belongs at a document's root; OpenAPI 3.1 names the dialect once for all. */
function withoutDialect(schema: object): JsonSchema {
  const copy = { ...schema } as JsonSchema;
  delete copy.$schema;
  return copy;
}

function relink(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replaceAll(DEFS_REF, COMPONENTS_REF)) as JsonSchema;
}
