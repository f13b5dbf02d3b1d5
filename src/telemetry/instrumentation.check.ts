import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { telemetryHandle } from './telemetry.handle.js';

const log = logger.child({ module: 'telemetry' });

/**
 * The start-up self-check that each registered instrumentation really patched the library the
 * service loaded. Instrumentation fails silently: a library loaded before the bootstrap (a
 * `--require` of another agent, a change in ES-module loading) or a release outside the
 * instrumentation's supported range is simply not patched, and its spans are missing from every
 * trace. Once every module is loaded (application bootstrap) each miss is logged as a warning,
 * and `otel_instrumentation_patched{library}` (1 or 0, re-checked at every scrape) lets an
 * alert catch it. No series when the SDK is disabled.
 */
@Injectable()
export class InstrumentationCheck implements OnModuleInit, OnApplicationBootstrap {
  constructor(private readonly metrics: MetricsService) {}

  onModuleInit(): void {
    this.metrics.gauge<'library'>({
      name: 'otel_instrumentation_patched',
      help: 'Whether the OpenTelemetry instrumentation of a library is in effect (1) or not (0).',
      labelNames: ['library'],
      collect() {
        this.reset();
        const patched = telemetryHandle()?.instrumentationsPatched() ?? {};
        for (const [library, ok] of Object.entries(patched)) this.set({ library }, ok ? 1 : 0);
      },
    });
  }

  onApplicationBootstrap(): void {
    const patched = telemetryHandle()?.instrumentationsPatched() ?? {};
    for (const [library, ok] of Object.entries(patched)) {
      if (ok) continue;
      log.warn(
        { library },
        `OpenTelemetry instrumentation of ${library} is not in effect: its spans will be missing (was ${library} loaded before the telemetry bootstrap?)`,
      );
    }
  }
}
