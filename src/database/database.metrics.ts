import type { Counter, Histogram } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { BreakerState } from './database.breaker.js';
import type { PoolStats } from './database.driver.js';

/**
 * Pool and query instruments, named after the OpenTelemetry database client conventions
 * (`db.client.connection.*`, opentelemetry.io/docs/specs/semconv/database/database-metrics/).
 * Pool gauges are read at scrape time, so the hot path only pays for the wait histogram and
 * one counter increment.
 */
export class DatabaseMetrics {
  private readonly wait: Histogram;
  private readonly operations: Counter<'operation'>;
  private readonly perOperation = new Map<string, { inc(): void }>();
  /** Calls refused before reaching the server, by code (breaker open, pool saturated, ...). */
  readonly rejections: Counter<'code'>;
  /** Calls the breaker counted against the server (DB_UNAVAILABLE, DB_QUERY_TIMEOUT). */
  readonly failures: Counter<'code'>;
  readonly breakerTransitions: Counter<'state'>;

  constructor(metrics: MetricsService, stats: () => PoolStats, breaker: () => BreakerState) {
    metrics.readGauge(
      'db_client_circuit_state',
      'Database breaker: 0 closed (calls go through), 1 open (fast 503 DB_CIRCUIT_OPEN)',
      () => (breaker() === 'open' ? 1 : 0),
    );
    this.breakerTransitions = metrics.counter({
      name: 'db_client_circuit_transitions_total',
      help: 'Database breaker state changes, by the state entered',
      labelNames: ['state'] as const,
    });
    this.rejections = metrics.counter({
      name: 'db_client_rejections_total',
      help: 'Database calls answered 503 without reaching the server, by error code',
      labelNames: ['code'] as const,
    });
    this.failures = metrics.counter({
      name: 'db_client_failures_total',
      help: 'Database calls that found the server unreachable or unanswering, by error code',
      labelNames: ['code'] as const,
    });
    metrics.gauge({
      name: 'db_client_connection_count',
      help: 'Open database connections by state',
      labelNames: ['state'] as const,
      collect() {
        const s = stats();
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'used' }, s.total - s.idle);
      },
    });
    metrics.readGauge(
      'db_client_connection_max',
      'Largest number of open connections allowed (DB_POOL_MAX)',
      () => stats().max,
    );
    metrics.readGauge(
      'db_client_connection_pending_requests',
      'Callers waiting for a database connection',
      () => stats().waiting,
    );
    this.wait = metrics.histogram({
      name: 'db_client_connection_wait_time_seconds',
      help: 'Time to obtain a database connection (queueing plus connecting)',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    this.operations = metrics.counter({
      name: 'db_client_operations_total',
      help: 'Database operations sent to the server, by name',
      labelNames: ['operation'] as const,
    });
  }

  /** A session was obtained after `waitMs` for `operation`, which now runs. */
  acquired(operation: string, waitMs: number): void {
    this.wait.observe(waitMs / 1000);
    let counter = this.perOperation.get(operation);
    if (!counter) {
      counter = this.operations.labels(operation);
      this.perOperation.set(operation, counter);
    }
    counter.inc();
  }
}
