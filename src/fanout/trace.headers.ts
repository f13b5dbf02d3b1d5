import { propagation } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Trace and mesh headers a hop must pass on for a trace to stay one trace: W3C trace context
 * and baggage, Zipkin B3 (single and multi, what Istio/Envoy send), Jaeger, OpenTracing,
 * Google Cloud and SkyWalking. Istio's docs list the same set as the application's job.
 */
const TRACE_HEADERS = [
  'traceparent',
  'tracestate',
  'baggage',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'uber-trace-id',
  'x-ot-span-context',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'sw8',
];

/**
 * The incoming trace headers to copy onto an upstream call. Those the OpenTelemetry propagator
 * injects itself (`propagation.fields()`: traceparent and tracestate by default, more with
 * OTEL_PROPAGATORS) are left to it: it writes them with the client span as parent, and the undici
 * instrumentation appends rather than replaces, so a copied one would be sent twice. With the
 * SDK off the propagator is a no-op and every header is copied: the trace still joins up.
 */
export function traceHeadersToForward(headers: IncomingHttpHeaders): Record<string, string> {
  const injected = new Set(propagation.fields().map((field) => field.toLowerCase()));
  const hopByHop = connectionOptions(headers.connection);
  const forwarded: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const value = headers[name];
    if (injected.has(name) || value === undefined || hopByHop.has(name)) continue;
    const joined = Array.isArray(value) ? value.join(',') : value;
    if (PRINTABLE_ASCII.test(joined)) forwarded[name] = joined;
  }
  return forwarded;
}

/**
 * Every one of these headers is ASCII by its specification (baggage percent-encodes the rest).
 * Node reads other bytes as latin1 and undici writes the string back as UTF-8, so `\xe9` would
 * reach the backend as `\xc3\xa9`: such a value is not passed on rather than passed on altered.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The header names a `Connection` header lists: for this hop only, never forwarded (RFC 9110
 * §7.6.1), whatever else they are.
 */
function connectionOptions(connection: string | undefined): ReadonlySet<string> {
  if (connection === undefined) return NONE;
  return new Set(connection.split(',').map((name) => name.trim().toLowerCase()));
}

const NONE: ReadonlySet<string> = new Set();
