import { hasSubscribers } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { isWrapped, type Instrumentation } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** One instrumentation rampart registers, and how to tell that it took effect. */
export interface ConfiguredInstrumentation {
  /** The library it instruments: the `library` label of otel_instrumentation_patched. */
  library: string;
  instrumentation: Instrumentation;
  /**
   * Whether the copy of the library the service actually uses is patched. Read from the
   * outside, never by loading the library: a `require` here would itself trigger the patch
   * and hide the very failure this looks for.
   */
  patched(): boolean;
}

const require = createRequire(import.meta.url);

/** A CommonJS package's exports if something already loaded it (an ES `import` included). */
function loaded(name: string): Record<string, unknown> | undefined {
  try {
    return require.cache[require.resolve(name)]?.exports as Record<string, unknown> | undefined;
  } catch {
    return undefined; // not installed
  }
}

/** Whether `Class.prototype[method]` is a shimmer wrapper (it marks them `__wrapped`). */
function wrappedMethod(Class: unknown, method: string): boolean {
  const prototype = (Class as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  return prototype !== undefined && isWrapped(prototype[method]);
}

/**
 * The instrumentations, chosen for value per cost (README: observability). Inbound HTTP is not
 * here: one server span per request comes from server-span.hooks.ts. requireParentSpan keeps
 * pool health checks and start-up migrations out of the trace store. ioredis only when Redis
 * is configured (REDIS_URL): otherwise the client is never created and there is nothing to trace.
 */
export function configuredInstrumentations(options: {
  redis: boolean;
}): ConfiguredInstrumentation[] {
  const list: ConfiguredInstrumentation[] = [
    {
      library: 'pg',
      instrumentation: new PgInstrumentation({
        requireParentSpan: true,
        enhancedDatabaseReporting: false,
      }),
      // Queries are traced by the patched Client, checkouts by the patched pg-pool under pg.Pool.
      patched: () => {
        const pg = loaded('pg');
        return wrappedMethod(pg?.Client, 'query') && wrappedMethod(pg?.Pool, 'connect');
      },
    },
    {
      library: 'undici',
      instrumentation: new UndiciInstrumentation({ requireParentforSpans: true }),
      // undici is not patched: it publishes each request on diagnostics_channel, and the
      // instrumentation subscribes. Nothing else in rampart listens on this channel.
      patched: () => hasSubscribers('undici:request:create'),
    },
  ];
  if (options.redis) {
    list.push({
      library: 'ioredis',
      instrumentation: new IORedisInstrumentation({ requireParentSpan: true }),
      patched: () => wrappedMethod(loaded('ioredis')?.Redis, 'sendCommand'),
    });
  }
  return list;
}
