import { createRequire } from 'node:module';
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  TracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { AppConfig } from '../config/config.schema.js';
import { logger } from '../logging/logger.js';
import { contextStore } from '../request-context/context.store.js';
import { diagLogger, sdkErrorHandler } from './diag.logger.js';
import {
  EncodedBatchProcessor,
  isEncodedSpanExporter,
  type EncodedSpanExporter,
} from './encoded-batch.processor.js';
import { PooledIdGenerator } from './pooled-id.generator.js';
import { SpanPipelineStatsRecorder } from './span-pipeline.stats.js';
import { spanLimits } from './span.rules.js';
import { SpanStore } from './span.store.js';
import { TraceClock } from './trace.clock.js';
import type { SpanPipelineStats, TelemetryHandle } from './telemetry.handle.js';
import {
  configuredInstrumentations,
  type ConfiguredInstrumentation,
} from './telemetry.instrumentations.js';
import { propagatorFromConfig } from './telemetry.propagators.js';
import { rootSamplerFromConfig, samplerFromConfig } from './telemetry.sampler.js';
import { ServerSpanStarter } from './server-span.starter.js';

const log = logger.child({ module: 'telemetry' });

/**
 * The OpenTelemetry tracing SDK, assembled by hand instead of with `@opentelemetry/sdk-node`:
 * NodeSDK loads every exporter, the metrics and logs SDKs and resource detectors that rampart
 * does not use (start-up cost, docs/observability.md). Started by telemetry.bootstrap.ts before
 * any instrumented module loads.
 */
export class TelemetrySdk implements TelemetryHandle {
  private readonly stats = new SpanPipelineStatsRecorder();
  private provider?: TracerProvider;
  spanStore?: SpanStore;
  serverSpans?: ServerSpanStarter;
  attributeValueLengthLimit = Infinity;
  private instrumentations: ConfiguredInstrumentation[] = [];

  /**
   * Registers the global context manager, propagator and tracer provider, then the
   * instrumentations. `exporter` is undefined when no OTLP endpoint is configured. Sampled spans
   * go to the exporter and to the in-memory store behind /debug/tracez (TRACEZ_ENABLED); with
   * neither, spans are not recorded, but trace ids are still made and propagated so logs and
   * problem+json answers carry them and a downstream service can still continue an upstream trace.
   */
  start(config: AppConfig, exporter: SpanExporter | EncodedSpanExporter | undefined): void {
    diag.setLogger(diagLogger(log), DiagLogLevel.WARN);
    setGlobalErrorHandler(sdkErrorHandler(log));
    // rampart's one store (request-context/context.store.ts): the request state and the active
    // span share one AsyncLocalStorage frame.
    context.setGlobalContextManager(contextStore.enable());
    propagation.setGlobalPropagator(propagatorFromConfig(config.OTEL_PROPAGATORS));
    this.attributeValueLengthLimit = config.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT;
    this.spanStore = config.TRACEZ_ENABLED ? new SpanStore(config.TRACEZ_MAX_SPANS) : undefined;
    const recorded = exporter !== undefined || this.spanStore !== undefined;
    const { OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: ratio } = config;
    const ids = new PooledIdGenerator();
    const resource = resourceOf(config);
    const limits = spanLimits(config.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT);
    // First: the others read a span's start after it has set it.
    const processors = [
      new TraceClock(),
      ...(exporter ? [this.batchProcessor(config, exporter)] : []),
      ...(this.spanStore ? [this.spanStore] : []),
    ];
    const sampler = recorded ? samplerFromConfig(name, ratio) : new AlwaysOffSampler();
    this.serverSpans = new ServerSpanStarter(
      recorded ? rootSamplerFromConfig(name, ratio) : new AlwaysOffSampler(),
      sampler,
      ids,
      { resource, scope: SERVER_SCOPE, processors, limits },
    );
    this.provider = new TracerProvider({
      resource,
      idGenerator: ids,
      sampler,
      spanLimits: limits,
      spanProcessors: processors,
    });
    trace.setGlobalTracerProvider(this.provider);
    // Explicit list, chosen for value per cost (docs/observability.md). Inbound HTTP is not here:
    // one server span per request comes from src/telemetry/server-span.hooks.ts, started by
    // rampart's first hook on the public listener (http/request-state.hook.ts).
    this.instrumentations = configuredInstrumentations({ redis: config.REDIS_URL !== undefined });
    registerInstrumentations({
      tracerProvider: this.provider,
      instrumentations: this.instrumentations.map((i) => i.instrumentation),
    });
    // The instrumentations hook `require`. An ES module importing a CommonJS package gets it
    // through Node's loader without `require`: pg is still patched through its internal
    // requires, ioredis (patched on its main export) is not. Requiring it once here patches the
    // class that every later `import` shares (the CommonJS cache), without the
    // import-in-the-middle loader hook and its start-up cost.
    if (config.REDIS_URL) createRequire(import.meta.url)('ioredis');
  }

  /** OTEL_BSP_*'s batching; for http/protobuf, of spans encoded as they end. */
  private batchProcessor(
    config: AppConfig,
    exporter: SpanExporter | EncodedSpanExporter,
  ): SpanProcessor {
    const batching = {
      maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
      maxExportBatchSize: config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
      scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
      exportTimeoutMillis: config.OTEL_BSP_EXPORT_TIMEOUT,
    };
    return isEncodedSpanExporter(exporter)
      ? new EncodedBatchProcessor({ exporter, ...batching, stats: this.stats })
      : new BatchSpanProcessor({ exporter, ...batching, selfObsMeterProvider: this.stats });
  }

  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }

  spanStats(): SpanPipelineStats {
    return this.stats.snapshot();
  }

  instrumentationsPatched(): Record<string, boolean> {
    return Object.fromEntries(this.instrumentations.map((i) => [i.library, i.patched()]));
  }
}

/** The server spans' scope (server-span.starter.ts): one object, as the encoder groups by it. */
const SERVER_SCOPE = { name: 'rampart.http.server' };

/**
 * Kubernetes identity, then OTEL_RESOURCE_ATTRIBUTES (the environment detector), then
 * service.name and service.version from the configuration on top: there they were the
 * detector's, and spans could carry a version /version did not report. The configuration takes
 * them from OTEL_RESOURCE_ATTRIBUTES where only it sets them and refuses two that differ
 * (config/service-identity.ts), so every reader reports one identity.
 */
function resourceOf(config: AppConfig) {
  const pod: Record<string, string> = {};
  if (config.POD_NAME) pod['k8s.pod.name'] = config.POD_NAME;
  if (config.POD_NAMESPACE) pod['k8s.namespace.name'] = config.POD_NAMESPACE;
  if (config.NODE_NAME) pod['k8s.node.name'] = config.NODE_NAME;
  return defaultResource()
    .merge(resourceFromAttributes(pod))
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(
      resourceFromAttributes({
        'service.name': config.OTEL_SERVICE_NAME,
        'service.version': config.SERVICE_VERSION,
      }),
    );
}
