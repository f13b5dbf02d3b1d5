import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  example?: unknown;
  schema?: { enum?: unknown[] };
}
interface MediaType {
  schema?: object;
  example?: unknown;
}
interface ResponseObject {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, MediaType>;
}
export interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
  security?: object[];
  /** What sending the example does to the answering process (src/openapi/route.contract.ts). */
  'x-destructive'?: string;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}
export interface DocOperation {
  method: string;
  path: string;
  op: Operation;
}

const COMPONENTS = 'urn:rampart:components';

/** Every operation of a document, in document order. */
export function operationsOf(doc: OpenApiDoc): DocOperation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/**
 * Checks answers against a document with ajv in strict mode: an unknown keyword, a type-less
 * `properties` or a malformed pattern in the document fails the schema's compilation, not
 * silently passes. The components are one schema, so `$ref`s resolve as in the document.
 */
export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(doc: OpenApiDoc) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: COMPONENTS, $defs: relink(doc.components.schemas) });
  }

  /**
   * Problems with one answer, empty when it keeps the contract: a documented status (or a
   * `default`), a documented media type, a body valid against its schema, the required headers.
   */
  async check(op: Operation, res: Response): Promise<string[]> {
    const status = String(res.status);
    const spec =
      op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default ?? undefined;
    if (!spec) return [`status ${status} is not documented`];
    const found: string[] = [];
    for (const [name, header] of Object.entries(spec.headers ?? {})) {
      if (header.required && !res.headers.has(name)) found.push(`header ${name} is missing`);
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const text = await res.text();
    if (!spec.content) {
      if (text.length > 0) found.push(`a body where none is documented: ${text.slice(0, 80)}`);
      return found;
    }
    const media = spec.content[type];
    if (!media) return [...found, `content-type ${type} is not documented for ${status}`];
    if (!type.endsWith('json') || !media.schema) return found;
    const validate = this.validator(media.schema);
    if (!validate(JSON.parse(text))) {
      found.push(
        `body does not match: ${this.ajv.errorsText(validate.errors)} in ${text.slice(0, 200)}`,
      );
    }
    return found;
  }

  /** Why the document refuses `body` as the JSON request body of `op`; empty when it allows it. */
  bodyErrors(op: Operation, body: unknown): string[] {
    const schema = op.requestBody?.content['application/json']?.schema;
    if (!schema) return ['no JSON request body is documented'];
    const validate = this.validator(schema);
    return validate(body) ? [] : [this.ajv.errorsText(validate.errors)];
  }

  private validator(schema: object): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(relink(schema));
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

function relink<T extends object>(schema: T): T {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS}#/$defs/`),
  ) as T;
}
