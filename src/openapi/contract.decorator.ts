import { applyDecorators } from '@nestjs/common';
import { RouteConfig, RouteSchema } from '@nestjs/platform-fastify';
import type { RouteShorthandOptions } from 'fastify';
import { integerProperties, serializationSchema } from './json-schema.js';
import type { RouteContract } from './route.contract.js';

/**
 * Fastify route options for a contract: the contract itself (read by the OpenAPI documents),
 * the body fields that take an integer (`integerFields`, read by the admin listener's JSON body
 * parser), and one response schema per JSON answer, which Fastify compiles with
 * fast-json-stringify into the route's serializer. Only JSON successes: a problem keeps every
 * member it carries.
 */
export function contractRouteOptions(contract: RouteContract): RouteShorthandOptions {
  const response: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(contract.responses)) {
    // Fastify spells classes of statuses in lower case (`2xx`).
    if (spec?.json) response[status.toLowerCase()] = serializationSchema(spec.json);
  }
  const integerFields = contract.body && integerProperties(contract.body.schema);
  return { config: { contract, integerFields }, schema: { response } };
}

/** Documents a Nest handler and serializes its JSON answers from the contract's schemas. */
export function ApiContract(contract: RouteContract): MethodDecorator {
  const { config, schema } = contractRouteOptions(contract);
  return applyDecorators(RouteConfig(config), RouteSchema(schema!));
}
