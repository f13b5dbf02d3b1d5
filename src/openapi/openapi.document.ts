import type { z } from 'zod';
import { PROBLEM_CATALOG, type ProblemCode } from '../errors/problem.catalog.js';
import { problemSchema } from '../errors/problem.schema.js';
import { SchemaComponents, type JsonSchema } from './json-schema.js';
import type { CatalogedRoute } from './route.catalog.js';
import type { HeaderSpec, ResponseSpec, RouteContract } from './route.contract.js';
import type { ParameterObject, Surface } from './openapi.surfaces.js';

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, PathItem> };
type PathItem = Record<string, Record<string, unknown>>;

const PROBLEM_TYPE = 'application/problem+json';
const REQUEST_ID: HeaderSpec = { description: 'The request’s correlation id.', required: true };
const RETRY_AFTER: HeaderSpec = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'integer', minimum: 0 },
};

/**
 * The OpenAPI 3.1 document of one listener, built from the routes it registered and their
 * contracts. Routes without a contract are left out (the route-walk test fails on them).
 */
export function buildDocument(
  surface: Surface,
  version: string,
  routes: readonly CatalogedRoute[],
): OpenApiDocument {
  const components = new SchemaComponents();
  // Every problem answer refers to it.
  components.convert(problemSchema, 'output');
  const paths: Record<string, PathItem> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    if (!route.contract) continue;
    route.contract.tags.forEach((tag) => tags.add(tag));
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(surface, route, components);
  }
  const needsToken = routes.some((r) => r.contract && surface.needsToken(r));
  return {
    // No `jsonSchemaDialect`: 3.1's default (the OAS dialect, JSON Schema 2020-12 and OpenAPI's
    // keywords) is what the schemas are; naming plain 2020-12 gets Swagger UI's "not supported"
    // warning on every load of /docs.
    openapi: '3.1.1',
    info: { title: surface.title, version, description: surface.description },
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: components.schemas,
      ...(needsToken && {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
        },
      }),
    },
  };
}

function operation(
  surface: Surface,
  route: CatalogedRoute,
  components: SchemaComponents,
): Record<string, unknown> {
  const contract = route.contract as RouteContract;
  const parameters = [
    ...fields('path', contract.params, components),
    ...fields('query', contract.query, components),
    ...fields('header', contract.headers, components),
    ...surface.commonHeaders(route),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(contract.responses)) {
    if (spec) responses[status] = success(spec, components);
  }
  Object.assign(responses, problems([...contract.problems, ...surface.commonProblems(route)]));
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    ...(contract.description && { description: contract.description }),
    tags: contract.tags,
    ...(parameters.length > 0 && { parameters }),
    ...(contract.body && {
      requestBody: {
        required: contract.body.required,
        content: {
          'application/json': {
            schema: components.convert(contract.body.schema, 'input'),
            ...(contract.body.example !== undefined && { example: contract.body.example }),
          },
        },
      },
    }),
    responses,
    ...(surface.needsToken(route) && { security: [{ adminToken: [] }] }),
    ...(contract.destructive && { 'x-destructive': contract.destructive }),
  };
}

/** One parameter per field of a params/query/headers schema, with its own schema and meta. */
function fields(
  where: ParameterObject['in'],
  schema: z.ZodObject | undefined,
  components: SchemaComponents,
): ParameterObject[] {
  if (!schema) return [];
  const object = components.convert(schema, 'output');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, examples, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' && { description }),
      schema: rest,
      ...(Array.isArray(examples) && { example: examples[0] }),
    };
  });
}

function success(spec: ResponseSpec, components: SchemaComponents): Record<string, unknown> {
  const content: Record<string, unknown> = Object.fromEntries(
    Object.entries(spec.content ?? {}).map(([type, schema]) => [type, { schema }]),
  );
  if (spec.json) {
    content['application/json'] = {
      schema: components.convert(spec.json, 'output'),
      ...(spec.example !== undefined && { example: spec.example }),
    };
  }
  return {
    description: spec.description,
    headers: headers({ 'x-request-id': REQUEST_ID, ...spec.headers }),
    ...(Object.keys(content).length > 0 && { content }),
  };
}

/**
 * Problem answers grouped by status, each with the codes it can carry as an enumeration;
 * codes whose status is chosen at run time (chaos, /status/{code}) make the `default` answer.
 */
function problems(codes: readonly ProblemCode[]): Record<string, unknown> {
  const byStatus = new Map<string, Set<ProblemCode>>();
  for (const code of codes) {
    const status = PROBLEM_CATALOG[code].status;
    const key = status === 'any' ? 'default' : String(status);
    (byStatus.get(key) ?? byStatus.set(key, new Set()).get(key)!).add(code);
  }
  const answers: Record<string, unknown> = {};
  for (const [status, set] of [...byStatus].sort(([a], [b]) => a.localeCompare(b))) {
    const list = [...set].sort();
    const retry = status === '429' || status === '503';
    answers[status] = {
      description: list.map((code) => `\`${code}\`: ${PROBLEM_CATALOG[code].about}`).join(' '),
      headers: headers({
        'x-request-id': REQUEST_ID,
        ...(retry && { 'retry-after': RETRY_AFTER }),
      }),
      content: {
        [PROBLEM_TYPE]: {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Problem' },
              {
                type: 'object',
                required: ['code'],
                properties: {
                  code: { type: 'string', enum: list },
                  ...(status !== 'default' && { status: { const: Number(status) } }),
                },
              },
            ],
          },
        },
      },
    };
  }
  return answers;
}

function headers(specs: Record<string, HeaderSpec>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      {
        description: spec.description,
        required: spec.required ?? false,
        schema: spec.schema ?? { type: 'string' },
      },
    ]),
  );
}
