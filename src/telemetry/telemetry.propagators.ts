import type { TextMapPropagator } from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import type { PropagatorName } from '../config/propagators.field.js';
import { JaegerPropagator } from './jaeger.propagator.js';

const FACTORIES: Record<PropagatorName, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  // `b3` is the single `b3` header, `b3multi` the X-B3-* headers (spec names); both extract
  // either form.
  b3: () => new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }),
  b3multi: () => new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
  jaeger: () => new JaegerPropagator(),
};

/**
 * The propagator OTEL_PROPAGATORS names: every listed format is injected into outbound requests
 * (undici) and extracted from inbound ones (server-span.hooks.ts), in list order, so a later
 * format's trace context wins when a request carries several. An empty list (`none`)
 * propagates nothing.
 */
export function propagatorFromConfig(names: readonly PropagatorName[]): TextMapPropagator {
  return new CompositePropagator({ propagators: names.map((name) => FACTORIES[name]()) });
}
