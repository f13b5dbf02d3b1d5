import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { JaegerPropagator, parseUberTraceId } from './jaeger.propagator.js';

const jaeger = new JaegerPropagator();
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('JaegerPropagator (uber-trace-id)', () => {
  it('injects trace id, span id, a zero parent and the sampled flag, and baggage as uberctx-*', () => {
    // The API's baggage calls need a global propagator only for its context key, not its format.
    propagation.setGlobalPropagator(new W3CBaggagePropagator());
    let ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
    });
    ctx = propagation.setBaggage(
      ctx,
      propagation.createBaggage({ tenant: { value: 'acme corp' } }),
    );
    const headers: Record<string, string> = {};
    jaeger.inject(ctx, headers, defaultTextMapSetter);
    expect(headers).toEqual({
      'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:01`,
      'uberctx-tenant': 'acme%20corp',
    });
    propagation.disable();
  });

  it('extracts a remote parent and baggage, and round-trips what it injects', () => {
    const headers = {
      'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:1`,
      'uberctx-tenant': 'acme%20corp',
      'x-unrelated': 'y',
    };
    const ctx = jaeger.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    expect(trace.getSpanContext(ctx)).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(propagation.getBaggage(ctx)?.getEntry('tenant')?.value).toBe('acme corp');
  });

  it('reads what Jaeger clients send: 64-bit ids left-padded, URL-encoded colons, debug flags', () => {
    expect(parseUberTraceId('a3ce929d0e0e4736%3Af067aa0ba902b7%3A0%3A3')).toEqual({
      traceId: '0000000000000000a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parseUberTraceId(`${TRACE_ID}:${SPAN_ID}:0:0`)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it.each([
    ['too few parts', `${TRACE_ID}:${SPAN_ID}:1`],
    ['zero trace id', `0:${SPAN_ID}:0:1`],
    ['zero span id', `${TRACE_ID}:0:0:1`],
    ['not hex', `${TRACE_ID}:zz:0:1`],
    ['trace id over 128 bits', `1${TRACE_ID}:${SPAN_ID}:0:1`],
    ['span id over 64 bits', `${TRACE_ID}:1${SPAN_ID}:0:1`],
    ['bad flags', `${TRACE_ID}:${SPAN_ID}:0:xyz`],
    ['bad percent-encoding', `${TRACE_ID}%zz`],
  ])('ignores a malformed header (%s)', (_why, value) => {
    const ctx = jaeger.extract(ROOT_CONTEXT, { 'uber-trace-id': value }, defaultTextMapGetter);
    expect(trace.getSpanContext(ctx)).toBeUndefined();
  });
});
