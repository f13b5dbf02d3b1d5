import fastJson, { type Schema } from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';

type Serialize = (data: unknown) => string;

/**
 * Fastify's serializer compiler (fast-json-stringify, as Fastify's default builds it for schemas
 * without external references, which contract.decorator.ts's are), with the compiles moved out
 * of start-up: Fastify compiles every route's response schemas while the app boots, before the
 * port listens (docs/performance.md, "Start-up", says what that cost). Each route's serializer
 * is compiled by its first answer or by `warm()`, whichever comes first; the app calls `warm()`
 * once it listens, so a route's first answer rarely pays its compile.
 */
export class DeferredSerializers {
  private readonly pending = new Set<() => Serialize>();

  /** For `fastify.setSerializerCompiler`, before the routes are registered. */
  readonly compiler: FastifySerializerCompiler<Schema> = ({ schema }) => {
    let serialize: Serialize | undefined;
    const compile = (): Serialize => {
      this.pending.delete(compile);
      return (serialize = fastJson(schema));
    };
    this.pending.add(compile);
    return (data: unknown) => (serialize ?? compile())(data);
  };

  /** Serializers not compiled yet. */
  get uncompiled(): number {
    return this.pending.size;
  }

  /**
   * Compiles the rest, one per event-loop turn, so a request arriving meanwhile waits for one
   * compile (a few ms) at most. Resolves when none is left.
   */
  warm(): Promise<void> {
    return new Promise((resolve) => {
      const next = (): void => {
        const [compile] = this.pending;
        if (!compile) return resolve();
        compile();
        setImmediate(next).unref();
      };
      next();
    });
  }
}
