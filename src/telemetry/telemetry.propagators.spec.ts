import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { propagatorFromConfig } from './telemetry.propagators.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const sampled = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  traceFlags: TraceFlags.SAMPLED,
});
const injected = (names: Parameters<typeof propagatorFromConfig>[0]) => {
  const headers: Record<string, string> = {};
  propagatorFromConfig(names).inject(sampled, headers, defaultTextMapSetter);
  return headers;
};

describe('propagatorFromConfig', () => {
  it('injects each listed format with its own headers', () => {
    expect(injected(['tracecontext'])).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
    expect(injected(['b3'])).toEqual({ b3: `${TRACE_ID}-${SPAN_ID}-1` });
    expect(injected(['b3multi'])).toEqual({
      'x-b3-traceid': TRACE_ID,
      'x-b3-spanid': SPAN_ID,
      'x-b3-sampled': '1',
    });
    expect(injected(['jaeger'])).toEqual({ 'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:01` });
    expect(Object.keys(injected(['tracecontext', 'b3', 'jaeger'])).sort()).toEqual([
      'b3',
      'traceparent',
      'uber-trace-id',
    ]);
  });

  it('none injects and extracts nothing', () => {
    expect(injected([])).toEqual({});
    const ctx = propagatorFromConfig([]).extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
      defaultTextMapGetter,
    );
    expect(trace.getSpanContext(ctx)).toBeUndefined();
  });

  it('a b3 (single) propagator also extracts the X-B3-* headers meshes send', () => {
    const ctx = propagatorFromConfig(['b3']).extract(
      ROOT_CONTEXT,
      { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '1' },
      defaultTextMapGetter,
    );
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
  });
});
