import { bool, decimal, int, otelBool, otelEnum, text } from './config.fields.js';
import { bearerToken } from './admin.config.js';
import { otlpConfigShape } from './otlp.config.js';
import { knownMethods } from './known-methods.field.js';
import { propagators } from './propagators.field.js';
import { resourceAttributes } from './resource-attributes.field.js';

/**
 * Observability knobs. OTEL_* are the OpenTelemetry standard variables; the telemetry bootstrap
 * reads them before Nest starts, they are listed here so validation and the README cover them.
 */
export const telemetryConfigShape = {
  OTEL_SDK_DISABLED: otelBool().default(false),
  OTEL_SERVICE_NAME: text().default('rampart'),
  ...otlpConfigShape,
  OTEL_PROPAGATORS: propagators(),
  // Any case (`ParentBased_AlwaysOn`), given back in lower case (config.fields.ts otelEnum).
  OTEL_TRACES_SAMPLER: otelEnum([
    'always_on',
    'always_off',
    'traceidratio',
    'parentbased_always_on',
    'parentbased_always_off',
    'parentbased_traceidratio',
  ]).default('parentbased_traceidratio'),
  OTEL_TRACES_SAMPLER_ARG: decimal(0, 1).default(0.1),
  OTEL_RESOURCE_ATTRIBUTES: resourceAttributes(),
  // Batch processor sizing (standard OTel names, hence no _MS suffix). The queue holds ~1 s of
  // a saturated instance at 100 % sampling (~17k spans/s measured), so bursts are not dropped;
  // small, frequent batches (512 every 200 ms) kept the SDK's span objects short-lived: measured
  // ~4 µs/request cheaper than 2,048 every 1 s (README: observability). With http/protobuf the
  // queue holds encoded spans (telemetry/encoded-batch.processor.ts), which the GC does not walk.
  OTEL_BSP_MAX_QUEUE_SIZE: int(1, 1_000_000).default(16_384),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: int(1, 100_000).default(512),
  OTEL_BSP_SCHEDULE_DELAY: int(0, 600_000).default(200),
  OTEL_BSP_EXPORT_TIMEOUT: int(1, 600_000).default(10_000),
  // Longest string attribute value on a span (OTel's standard name); longer ones are cut. A
  // client controls some (User-Agent, the path: up to Node's 16 KiB of headers), and a span, the
  // trace store and /debug/tracez should not carry 16 KiB of one client's choosing per request.
  OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: int(1, 1_000_000).default(1024),
  // The methods spans and the request histogram record by name; any other is `_OTHER`.
  OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: knownMethods(),
  METRICS_ENABLED: bool().default(true),
  DEBUG_PPROF_ENABLED: bool().default(false),
  // Deprecated alias of ADMIN_TOKEN (src/config/admin.config.ts), read only when that is unset.
  // The same rules as ADMIN_TOKEN: the alias used to skip its minimum length.
  DEBUG_TOKEN: bearerToken(),
  DEBUG_PPROF_MAX_SECONDS: int(1, 300).default(60),
};
