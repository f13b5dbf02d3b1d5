import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { AppConfig } from '../config/config.schema.js';
import { otlpTracesTarget, type OtlpTracesTarget } from '../config/otlp.config.js';
import { LazySpanExporter } from './lazy-span.exporter.js';
import { OtlpTraceEncoder } from './otlp-trace.encoder.js';

/**
 * The OTLP span exporter for the configured protocol (http/protobuf, http/json or grpc), or
 * undefined when no endpoint is set (then nothing is exported; see TelemetrySdk.start). Only
 * the chosen exporter package is loaded, and only at the first export. Jaeger 2 and the
 * OpenTelemetry Collector take all three (:4318 for HTTP, :4317 for gRPC); protobuf over HTTP
 * is the spec's default and needs no HTTP/2 connection.
 *
 * Every setting is passed explicitly from the parsed config (src/config/otlp.config.ts applies
 * the spec's precedence); the exporter packages would read the same variables from the
 * environment, unvalidated, only as a fallback for what is not given here.
 */
export function createSpanExporter(config: AppConfig): SpanExporter | undefined {
  const target = otlpTracesTarget(config);
  if (!target) return undefined;
  return new LazySpanExporter(() =>
    target.protocol === 'grpc' ? grpcExporter(target) : httpExporter(target),
  );
}

async function httpExporter(target: OtlpTracesTarget): Promise<SpanExporter> {
  if (target.protocol === 'http/protobuf') return protobufExporter(target);
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
 * (the same transport, retries, bounded queue and exporter metrics), with rampart's encoder in
 * place of the SDK's serializer: the same bytes in under half its time per span
 * (otlp-trace.encoder.ts). Responses are read by the SDK's own deserializer.
 */
async function protobufExporter(target: OtlpTracesTarget): Promise<SpanExporter> {
  const [{ OTLPExporterBase }, http, { ProtobufTraceSerializer, TraceExporterMetricsHelper }] =
    await Promise.all([
      import('@opentelemetry/otlp-exporter-base'),
      import('@opentelemetry/otlp-exporter-base/node-http'),
      import('@opentelemetry/otlp-transformer'),
    ]);
  type Options = Parameters<typeof http.convertLegacyHttpOptions>[0];
  const encoder = new OtlpTraceEncoder();
  const serializer = {
    serializeRequest: (spans: ReadableSpan[]) => encoder.encode(spans),
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
  return new OTLPExporterBase<ReadableSpan[]>(
    http.createOtlpHttpExportDelegate(
      options,
      serializer,
      'otlp_http_span_exporter',
      TraceExporterMetricsHelper,
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
