import {
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';

/** The trace context header (Jaeger client libraries documentation, "Propagation Format"). */
export const UBER_TRACE_ID = 'uber-trace-id';
/** Each baggage entry travels as a header of its own: `uberctx-<key>: <url-encoded value>`. */
export const UBER_BAGGAGE_PREFIX = 'uberctx-';

const FLAG_SAMPLED = 0x01;
const HEX = /^[0-9a-f]{1,32}$/;

/**
 * Jaeger's native propagation format, for services still instrumented with Jaeger clients
 * (OTEL_PROPAGATORS=jaeger): `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}`,
 * ids in variable-length hex (64-bit trace ids are left-padded to 128), the parent span id
 * deprecated and sent as 0, flags a bitmap whose bit 0x01 means sampled (debug, 0x02, comes
 * with it). Written here because @opentelemetry/propagator-jaeger has no release for the
 * @opentelemetry/api 1.10 the rest of the SDK uses; it behaves as that package does.
 */
export class JaegerPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext && isSpanContextValid(spanContext)) {
      const flags = spanContext.traceFlags & TraceFlags.SAMPLED ? '01' : '00';
      setter.set(carrier, UBER_TRACE_ID, `${spanContext.traceId}:${spanContext.spanId}:0:${flags}`);
    }
    for (const [key, entry] of propagation.getBaggage(ctx)?.getAllEntries() ?? []) {
      setter.set(carrier, UBER_BAGGAGE_PREFIX + key, encodeURIComponent(entry.value));
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = ctx;
    const header = first(getter.get(carrier, UBER_TRACE_ID));
    const spanContext = header === undefined ? undefined : parseUberTraceId(header);
    if (spanContext) result = trace.setSpanContext(result, spanContext);

    let baggage = propagation.getBaggage(result);
    for (const key of getter.keys(carrier)) {
      if (!key.toLowerCase().startsWith(UBER_BAGGAGE_PREFIX)) continue;
      const value = decode(first(getter.get(carrier, key)) ?? '');
      if (value === undefined) continue;
      baggage = (baggage ?? propagation.createBaggage()).setEntry(
        key.slice(UBER_BAGGAGE_PREFIX.length).toLowerCase(),
        { value },
      );
    }
    return baggage ? propagation.setBaggage(result, baggage) : result;
  }

  /** Only the fixed header: baggage headers have no fixed names to announce. */
  fields(): string[] {
    return [UBER_TRACE_ID];
  }
}

/** A remote span context from an `uber-trace-id` value, or undefined when it is malformed. */
export function parseUberTraceId(raw: string) {
  // Some Jaeger clients URL-encode the value (`%3A` for each colon).
  const parts = decode(raw)?.trim().toLowerCase().split(':');
  if (parts?.length !== 4) return undefined;
  const [traceId, spanId, , flags] = parts as [string, string, string, string];
  if (!HEX.test(traceId) || !HEX.test(spanId) || spanId.length > 16) return undefined;
  if (!/^[0-9a-f]{1,2}$/.test(flags)) return undefined;
  const spanContext = {
    traceId: traceId.padStart(32, '0'),
    spanId: spanId.padStart(16, '0'),
    traceFlags: parseInt(flags, 16) & FLAG_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
