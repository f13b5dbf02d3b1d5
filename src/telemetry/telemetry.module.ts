import { Module } from '@nestjs/common';
import { InstrumentationCheck } from './instrumentation.check.js';
import { TelemetryMetrics } from './telemetry.metrics.js';
import { MetricsModule } from '../metrics/metrics.module.js';

/**
 * The Nest side of telemetry: metrics about the span pipeline and the instrumentation
 * self-check. The SDK itself starts before Nest (telemetry.bootstrap.ts) and is flushed by
 * ShutdownService step 6.
 */
@Module({ imports: [MetricsModule], providers: [TelemetryMetrics, InstrumentationCheck] })
export class TelemetryModule {}
