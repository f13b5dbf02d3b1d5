import type { Counter, Gauge } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service.js';

/** Live numbers a backend's policy reports at scrape time. */
export interface BulkheadLoad {
  backend: string;
  active: number;
  queued: number;
}

/**
 * The Prometheus instruments of the upstream policies, one label value per backend. Declared
 * here, updated from the policy events in upstream.policies.ts.
 */
export class ResilienceMetrics {
  /** 0 closed, 1 open, 2 half-open, 3 isolated (cockatiel's CircuitState). */
  readonly circuitState: Gauge<'backend'>;
  readonly circuitTransitions: Counter<'backend' | 'state'>;
  readonly probesReleased: Counter<'backend'>;
  readonly retries: Counter<'backend'>;
  readonly retryBudgetExhausted: Counter<'backend'>;
  readonly timeouts: Counter<'backend'>;
  readonly bulkheadRejections: Counter<'backend'>;
  readonly calls: Counter<'backend' | 'outcome'>;

  constructor(metrics: MetricsService, load: () => BulkheadLoad[]) {
    this.circuitState = metrics.gauge({
      name: 'upstream_circuit_state',
      help: 'Circuit breaker state per backend: 0 closed, 1 open, 2 half-open, 3 isolated.',
      labelNames: ['backend'],
    });
    this.circuitTransitions = metrics.counter({
      name: 'upstream_circuit_transitions_total',
      help: 'Circuit breaker state changes per backend, by the state entered.',
      labelNames: ['backend', 'state'],
    });
    this.probesReleased = metrics.counter({
      name: 'upstream_circuit_probes_released_total',
      help: 'Half-open probes given back without a verdict (cut short by their caller, or refused).',
      labelNames: ['backend'],
    });
    this.retries = metrics.counter({
      name: 'upstream_retries_total',
      help: 'Retries made per backend (each one granted by the retry budget).',
      labelNames: ['backend'],
    });
    this.retryBudgetExhausted = metrics.counter({
      name: 'upstream_retry_budget_exhausted_total',
      help: 'Retryable failures not retried because the retry budget was spent.',
      labelNames: ['backend'],
    });
    this.timeouts = metrics.counter({
      name: 'upstream_timeouts_total',
      help: 'Upstream calls aborted by the timeout policy or the request deadline.',
      labelNames: ['backend'],
    });
    this.bulkheadRejections = metrics.counter({
      name: 'upstream_bulkhead_rejections_total',
      help: 'Calls rejected because the backend bulkhead and its queue were full.',
      labelNames: ['backend'],
    });
    this.calls = metrics.counter({
      name: 'upstream_calls_total',
      help: 'Upstream calls per backend by final outcome (after retries).',
      labelNames: ['backend', 'outcome'],
    });
    metrics.gauge({
      name: 'upstream_bulkhead_queue_depth',
      help: 'Calls waiting for a bulkhead slot per backend.',
      labelNames: ['backend'],
      collect() {
        for (const b of load()) this.set({ backend: b.backend }, b.queued);
      },
    });
    metrics.gauge({
      name: 'upstream_bulkhead_active_calls',
      help: 'Calls holding a bulkhead slot (in flight) per backend.',
      labelNames: ['backend'],
      collect() {
        for (const b of load()) this.set({ backend: b.backend }, b.active);
      },
    });
  }
}
