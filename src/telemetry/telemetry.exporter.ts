import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { AppConfig } from '../config/config.schema.js';
import { LazySpanExporter } from './lazy-span.exporter.js';

/**
 * The OTLP/HTTP span exporter for OTEL_EXPORTER_OTLP_PROTOCOL, or undefined when no
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (then nothing is exported; see TelemetrySdk.start).
 * Only the chosen exporter package is loaded, and only at the first export. Jaeger 2 and the
 * OpenTelemetry Collector take both encodings on :4318; protobuf is smaller and cheaper to encode.
 * OTEL_EXPORTER_OTLP_HEADERS / _COMPRESSION / _TIMEOUT are read by the exporter itself.
 */
export function createSpanExporter(config: AppConfig): SpanExporter | undefined {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  // The spec's signal path for the generic endpoint variable: <endpoint>/v1/traces.
  const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  return new LazySpanExporter(async () => {
    if (config.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json') {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter({ url });
    }
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    return new OTLPTraceExporter({ url });
  });
}
