import { Module } from '@nestjs/common';
import { TelemetryMetrics } from './telemetry.metrics.js';
import { MetricsModule } from '../metrics/metrics.module.js';

/**
 * The Nest side of telemetry: only metrics about the span pipeline. The SDK itself starts
 * before Nest (telemetry.bootstrap.ts) and is flushed by ShutdownService step 6.
 */
@Module({ imports: [MetricsModule], providers: [TelemetryMetrics] })
export class TelemetryModule {}
