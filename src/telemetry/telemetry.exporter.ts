import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { AppConfig } from '../config/config.schema.js';
import { otlpTracesTarget, type OtlpTracesTarget } from '../config/otlp.config.js';
import type { EncodedSpanBatch, EncodedSpanExporter } from './encoded-batch.processor.js';
import { LazySpanExporter } from './lazy-span.exporter.js';

/**
 * The OTLP span exporter for the configured protocol (http/protobuf, http/json or grpc), or
 * undefined when no endpoint is set (then nothing is exported; see TelemetrySdk.start).
 * http/protobuf sends requests rampart's encoder wrote as spans ended (encoded-batch.processor.ts);
 * the other two take the SDK's spans. Only the chosen exporter package is loaded, and only at the
 * first export. Jaeger 2 and the
 * OpenTelemetry Collector take all three (:4318 for HTTP, :4317 for gRPC); protobuf over HTTP
 * is the spec's default and needs no HTTP/2 connection.
 *
 * Every setting is passed explicitly from the parsed config (src/config/otlp.config.ts applies
 * the spec's precedence); the exporter packages would read the same variables from the
 * environment, unvalidated, only as a fallback for what is not given here.
 */
export function createSpanExporter(
  config: AppConfig,
): SpanExporter | EncodedSpanExporter | undefined {
  const target = otlpTracesTarget(config);
  if (!target) return undefined;
  if (target.protocol === 'http/protobuf') {
    const lazy = new LazySpanExporter(() => protobufExporter(target));
    return {
      exportEncoded: (batch, done) => lazy.export(batch, done),
      forceFlush: () => lazy.forceFlush(),
      shutdown: () => lazy.shutdown(),
    };
  }
  return new LazySpanExporter(() =>
    target.protocol === 'grpc' ? grpcExporter(target) : jsonExporter(target),
  );
}

async function jsonExporter(target: OtlpTracesTarget): Promise<SpanExporter> {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  type Options = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;
  return new OTLPTraceExporter({
    url: target.url,
    headers: { ...target.headers },
    timeoutMillis: target.timeoutMs,
    compression: target.compression as Options['compression'],
  });
}

/**
 * The OTLP http/protobuf exporter as `@opentelemetry/exporter-trace-otlp-proto` assembles it
 * (the same transport, retries, bounded queue and exporter metrics), sending the requests
 * rampart's encoder wrote (otlp-trace.encoder.ts: the SDK serializer's bytes, in under half its
 * time per span) instead of serializing spans. Responses are read by the SDK's own deserializer.
 */
async function protobufExporter(target: OtlpTracesTarget) {
  const [{ OTLPExporterBase }, http, { ProtobufTraceSerializer }] = await Promise.all([
    import('@opentelemetry/otlp-exporter-base'),
    import('@opentelemetry/otlp-exporter-base/node-http'),
    import('@opentelemetry/otlp-transformer'),
  ]);
  type Options = Parameters<typeof http.convertLegacyHttpOptions>[0];
  const serializer = {
    serializeRequest: (batch: EncodedSpanBatch) => batch.request,
    deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const options = http.convertLegacyHttpOptions(
    {
      url: target.url,
      headers: { ...target.headers },
      timeoutMillis: target.timeoutMs,
      compression: target.compression as Options['compression'],
    },
    'TRACES',
    'v1/traces',
    { 'Content-Type': 'application/x-protobuf' },
  );
  return new OTLPExporterBase<EncodedSpanBatch>(
    http.createOtlpHttpExportDelegate(
      options,
      serializer,
      'otlp_http_span_exporter',
      { name: 'span', countItems: (batch: EncodedSpanBatch) => batch.length },
      // No meter for the exporter's own metrics: the span pipeline's counts come from the batch
      // processor (span-pipeline.stats.ts), as with the stock exporter, which rampart gave none.
      undefined,
    ),
  );
}

async function grpcExporter(target: OtlpTracesTarget): Promise<SpanExporter> {
  const [{ OTLPTraceExporter }, { Metadata }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-grpc'),
    import('@grpc/grpc-js'),
  ]);
  type Options = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(target.headers)) metadata.set(key, value);
  // An http:// endpoint gets a plaintext channel, https:// TLS with the system's CAs (the
  // exporter decides from the scheme, as the spec says).
  return new OTLPTraceExporter({
    url: target.url,
    metadata,
    timeoutMillis: target.timeoutMs,
    compression: target.compression as Options['compression'],
  });
}
