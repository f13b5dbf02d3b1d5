import { z } from 'zod';
import { bool, int, optionalString } from './config.fields.js';

/**
 * Observability knobs. OTEL_* are the OpenTelemetry standard variables; the telemetry bootstrap
 * reads them before Nest starts, they are listed here so validation and the README cover them.
 */
export const telemetryConfigShape = {
  OTEL_SDK_DISABLED: bool().default(false),
  OTEL_SERVICE_NAME: z.string().min(1).default('rampart'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .default('parentbased_traceidratio'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(0.1),
  OTEL_RESOURCE_ATTRIBUTES: optionalString(),
  METRICS_ENABLED: bool().default(true),
  DEBUG_PPROF_ENABLED: bool().default(false),
  DEBUG_TOKEN: optionalString(),
  DEBUG_PPROF_MAX_SECONDS: int(1, 300).default(60),
};
