import fastJson, { type Schema } from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { logger } from '../logging/logger.js';

type Serialize = (data: unknown) => string;

const log = logger.child({ module: 'protocol' });

/**
 * Fastify's serializer compiler (fast-json-stringify, as Fastify's default builds it for schemas
 * without external references, which contract.decorator.ts's are), with the compiles moved out
 * of start-up: Fastify compiles every route's response schemas while the app boots, before the
 * port listens (docs/performance.md, "Start-up", says what that cost). Each route's serializer
 * is compiled by its first answer or by `warm()`, whichever comes first; the listener calls
 * `warm()` once it listens, so a route's first answer rarely pays its compile.
 *
 * A schema that does not compile no longer stops start-up: `warm()` logs it and names it, the
 * route answers 500 until it is fixed, and the contract test (openapi-document.e2e-spec) fails on
 * any such route of rampart's.
 */
export class DeferredSerializers {
  /** Compiles not yet run, with the route each is for (`GET /api/items/:id 200`). */
  private readonly pending = new Map<() => Serialize, string>();

  /** For `fastify.setSerializerCompiler`, before the routes are registered. */
  readonly compiler: FastifySerializerCompiler<Schema> = ({ schema, method, url, httpStatus }) => {
    let serialize: Serialize | undefined;
    const compile = (): Serialize => {
      this.pending.delete(compile);
      return (serialize = fastJson(schema));
    };
    this.pending.set(compile, `${method} ${url} ${httpStatus}`);
    return (data: unknown) => (serialize ?? compile())(data);
  };

  /** Serializers not compiled yet. */
  get uncompiled(): number {
    return this.pending.size;
  }

  /**
   * Compiles the rest, one per event-loop turn, so a request arriving meanwhile waits for one
   * compile (a few ms) at most. Resolves, once none is left, with the routes whose schema failed
   * to compile (each also logged).
   */
  warm(): Promise<string[]> {
    const failed: string[] = [];
    return new Promise((resolve) => {
      const next = (): void => {
        const [entry] = this.pending;
        if (!entry) return resolve(failed);
        const [compile, route] = entry;
        try {
          compile();
        } catch (error) {
          failed.push(route);
          log.error(
            { err: error, route },
            'response schema does not compile: the route answers 500',
          );
        }
        setImmediate(next).unref();
      };
      next();
    });
  }
}
