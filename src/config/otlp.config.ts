import { z } from 'zod';
import { int, otelEnum, url } from './config.fields.js';
import { otlpHeaders } from './otlp-headers.field.js';

/** An environment value that counts as unset when empty (`FOO=`), as the OTel spec asks. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const endpoint = () => unsetIfEmpty(url(['http:', 'https:']));
/**
 * The generic endpoint is a base URL: HTTP appends `/v1/traces` to it as text, so a query or a
 * fragment swallowed the path (`http://c:4318?tenant=a` exported to `…?tenant=a/v1/traces`,
 * the collector's root, with a query nobody wrote).
 */
const baseEndpoint = () =>
  unsetIfEmpty(
    url(['http:', 'https:']).refine((v) => !v.includes('?') && !v.includes('#'), {
      message:
        'must not carry a query or a fragment: it is a base URL, /v1/traces is appended ' +
        '(a query goes in OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as is)',
    }),
  );
const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
// In any case (`GRPC`, `Gzip`), as every OpenTelemetry enum (config.fields.ts).
const protocol = () => otelEnum(PROTOCOLS);
const compression = () => otelEnum(['gzip', 'none']);

/**
 * The OTLP span exporter's variables, generic and trace-specific, as the OpenTelemetry exporter
 * specification names them (opentelemetry.io/docs/specs/otel/protocol/exporter/). Each
 * `_TRACES_` variable, when set, wins over its generic sibling; otlpTracesTarget applies that.
 * Timeouts are in milliseconds (the spec's unit, hence no _MS suffix).
 */
export const otlpConfigShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: baseEndpoint(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint(),
  OTEL_EXPORTER_OTLP_PROTOCOL: unsetIfEmpty(protocol()).default('http/protobuf'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: unsetIfEmpty(protocol()),
  OTEL_EXPORTER_OTLP_HEADERS: otlpHeaders(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: otlpHeaders(),
  OTEL_EXPORTER_OTLP_TIMEOUT: unsetIfEmpty(int(1, 600_000)).default(10_000),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: unsetIfEmpty(int(1, 600_000)),
  OTEL_EXPORTER_OTLP_COMPRESSION: unsetIfEmpty(compression()).default('none'),
  OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: unsetIfEmpty(compression()),
};

type OtlpConfig = z.infer<z.ZodObject<typeof otlpConfigShape>>;

/** Where and how spans are exported, every precedence rule applied. */
export interface OtlpTracesTarget {
  /** The full URL for HTTP (`…/v1/traces`); `scheme://host:port` for gRPC. */
  url: string;
  protocol: (typeof PROTOCOLS)[number];
  /** Generic headers overlaid with the trace-specific ones (names in lower case). */
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  compression: z.infer<ReturnType<typeof compression>>;
}

/**
 * The exporter settings for traces, or undefined when neither endpoint variable is set (then
 * nothing is exported, and sampled spans are kept for /debug/tracez only; TelemetrySdk.start).
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as-is; the generic OTEL_EXPORTER_OTLP_ENDPOINT is
 * a base URL to which HTTP appends `v1/traces` (gRPC has no path: the service name is the
 * route).
 */
export function otlpTracesTarget(config: OtlpConfig): OtlpTracesTarget | undefined {
  const protocol = config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? config.OTEL_EXPORTER_OTLP_PROTOCOL;
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url =
    config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base === undefined || protocol === 'grpc' ? base : `${base.replace(/\/+$/, '')}/v1/traces`);
  if (url === undefined) return undefined;
  return {
    url,
    protocol,
    headers: { ...config.OTEL_EXPORTER_OTLP_HEADERS, ...config.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    timeoutMs: config.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? config.OTEL_EXPORTER_OTLP_TIMEOUT,
    compression:
      config.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION ?? config.OTEL_EXPORTER_OTLP_COMPRESSION,
  };
}
