import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { AppConfig } from '../config/config.schema.js';
import { otlpTracesTarget, type OtlpTracesTarget } from '../config/otlp.config.js';
import { LazySpanExporter } from './lazy-span.exporter.js';

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
  const { OTLPTraceExporter } =
    target.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');
  type Options = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;
  return new OTLPTraceExporter({
    url: target.url,
    headers: { ...target.headers },
    timeoutMillis: target.timeoutMs,
    compression: target.compression as Options['compression'],
  });
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
