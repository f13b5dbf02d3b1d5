import { Inject, Injectable } from '@nestjs/common';
import client, { type Counter, type Gauge, type Histogram, Registry } from 'prom-client';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { registerRuntimeMetrics } from './runtime.metrics.js';

type Labels<T extends string> = { name: string; help: string; labelNames?: readonly T[] };

/**
 * The process's Prometheus registry. Modules declare their instruments here (get-or-create, so a
 * module re-initialised in tests does not throw "already registered") and update them; the admin
 * listener serves the text at /metrics. Names follow Prometheus and OTel semantic conventions
 * (`http_server_request_duration_seconds`, `db_client_connection_count`, ...) and must pass
 * `promtool check metrics` (test/e2e/metrics.e2e-spec.ts checks the whole exposition).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(@Inject(APP_CONFIG) config: AppConfig, inFlight: InFlightRegistry) {
    if (!config.METRICS_ENABLED) return;
    registerRuntimeMetrics(this.registry, inFlight);
  }

  counter<T extends string>(
    config: Labels<T> & { collect?: (this: Counter<T>) => void | Promise<void> },
  ): Counter<T> {
    return this.getOrCreate(
      config.name,
      () => new client.Counter({ ...config, registers: [this.registry] }),
    );
  }

  gauge<T extends string>(
    config: Labels<T> & { collect?: (this: Gauge<T>) => void | Promise<void> },
  ): Gauge<T> {
    return this.getOrCreate(
      config.name,
      () => new client.Gauge({ ...config, registers: [this.registry] }),
    );
  }

  /**
   * An unlabelled gauge whose value is read at scrape time: no work until Prometheus asks, the
   * way every "how many right now" figure here is exported.
   */
  readGauge(name: string, help: string, read: () => number): Gauge {
    return this.gauge({
      name,
      help,
      collect() {
        this.set(read());
      },
    });
  }

  histogram<T extends string>(config: Labels<T> & { buckets?: number[] }): Histogram<T> {
    return this.getOrCreate(
      config.name,
      () => new client.Histogram({ ...config, registers: [this.registry] }),
    );
  }

  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  private getOrCreate<M>(name: string, create: () => M): M {
    return (this.registry.getSingleMetric(name) as M | undefined) ?? create();
  }
}
