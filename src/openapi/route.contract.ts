import type { z } from 'zod';
import type { ProblemCode } from '../errors/problem.catalog.js';

/** A documented response header. */
export interface HeaderSpec {
  description: string;
  /** JSON Schema of the value; a string when omitted. */
  schema?: Record<string, unknown>;
  required?: boolean;
}

/** One success (or 304) answer of a route. */
export interface ResponseSpec {
  description: string;
  /** JSON body. Also compiled into the route's serializer (fast-json-stringify). */
  json?: z.ZodType;
  /** A body that is not JSON: media type → JSON Schema of it. */
  content?: Record<string, Record<string, unknown>>;
  headers?: Record<string, HeaderSpec>;
  example?: unknown;
}

/**
 * Everything the API documents about one route, and the schemas its handler validates with:
 * `params`, `query`, `headers` and `body` are the zod schemas the route's input parsing uses,
 * so the OpenAPI document cannot describe another contract than the one enforced.
 * Problem answers are listed by code only: status and body model come from the catalog
 * (errors/problem.catalog.ts); the listener's common problems are added by the document.
 */
export interface RouteContract {
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  /** Path parameters, by the name in the route (`:id` → `id`). */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers the route reads, by their lower-case name (`idempotency-key`). */
  headers?: z.ZodObject;
  body?: { schema: z.ZodType; required: boolean; example?: unknown };
  /** By status, or a class of them (`2XX`) when the caller picks the status. */
  responses: Readonly<Partial<Record<number | '2XX' | '3XX', ResponseSpec>>>;
  /** Problem codes this route raises itself (validation, not-found, its dependencies). */
  problems: readonly ProblemCode[];
  /** Kubelet probes: not rate-limited, not shed by admission, not hit by chaos. */
  probe?: boolean;
  /**
   * What the documented example does to the process that answers it, when that process cannot
   * go on serving (an exit). Documented as `x-destructive`; the contract test sends such an
   * example to a throwaway process of its own, never to the instance it checks the others on.
   */
  destructive?: string;
}

/** Declares a contract with its literal types kept (zod schemas stay precise for `z.infer`). */
export function defineContract<const C extends RouteContract>(contract: C): C {
  return contract;
}
