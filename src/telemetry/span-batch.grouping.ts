import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** A span's resource: one ResourceSpans of the request per distinct one. */
export type SpanResource = ReadableSpan['resource'];
/** A span's instrumentation scope: one ScopeSpans within its resource's per distinct one. */
export type SpanScope = ReadableSpan['instrumentationScope'];

/** Spans by resource, then by instrumentation scope, by identity, in first-seen order. */
export function groupByResourceAndScope(spans: readonly ReadableSpan[]) {
  const byResource = new Map<SpanResource, Map<SpanScope, ReadableSpan[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (!byScope) byResource.set(span.resource, (byScope = new Map()));
    const list = byScope.get(span.instrumentationScope);
    if (list) list.push(span);
    else byScope.set(span.instrumentationScope, [span]);
  }
  return byResource;
}
