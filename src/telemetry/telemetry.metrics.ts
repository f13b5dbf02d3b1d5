import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { telemetryHandle, type SpanPipelineStats } from './telemetry.handle.js';

/**
 * The span pipeline's health on /metrics, read from the bootstrap's handle at scrape time. A
 * non-zero `otel_sdk_span_dropped_total` means traces have holes: raise OTEL_BSP_MAX_QUEUE_SIZE
 * or lower the sampling ratio (README: observability).
 */
@Injectable()
export class TelemetryMetrics implements OnModuleInit {
  constructor(private readonly metrics: MetricsService) {}

  onModuleInit(): void {
    const stats = (): SpanPipelineStats | undefined => telemetryHandle()?.spanStats();
    this.metrics.counter({
      name: 'otel_sdk_span_exported_total',
      help: 'Spans delivered to the OTLP endpoint.',
      collect() {
        this.reset();
        this.inc(stats()?.exported ?? 0);
      },
    });
    this.metrics.counter<'reason'>({
      name: 'otel_sdk_span_dropped_total',
      help: 'Sampled spans lost: queue_full (the span batch queue full) or export_failed.',
      labelNames: ['reason'],
      collect() {
        const s = stats();
        this.reset();
        this.inc({ reason: 'queue_full' }, s?.dropped ?? 0);
        this.inc({ reason: 'export_failed' }, s?.failed ?? 0);
      },
    });
    this.metrics.readGauge(
      'otel_sdk_processor_span_queue_size',
      'Spans waiting in the span batch queue.',
      () => stats()?.queued ?? 0,
    );
    this.metrics.readGauge(
      'otel_sdk_processor_span_queue_capacity',
      'Span batch queue capacity (OTEL_BSP_MAX_QUEUE_SIZE).',
      () => stats()?.capacity ?? 0,
    );
  }
}
