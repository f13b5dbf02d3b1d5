import { Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { ChaosState } from './chaos.state.js';

/**
 * Whether request faults (admin /chaos, CHAOS_* at boot) are on, read at scrape time. Beside
 * `chaos_process_fault_active`, it lets a dashboard tell answers failed or slowed on purpose
 * from real trouble: injected errors spend the availability budget like any other 5xx.
 */
@Injectable()
export class ChaosMetrics {
  constructor(metrics: MetricsService, chaos: ChaosState) {
    metrics.gauge({
      name: 'chaos_request_fault_active',
      help: 'Whether a request fault set by admin /chaos or CHAOS_* is on (1) or off (0): error (errorRate above 0) or latency (latencyMs or latencyJitterMs above 0).',
      labelNames: ['fault'] as const,
      collect() {
        const s = chaos.settings;
        this.set({ fault: 'error' }, s.errorRate > 0 ? 1 : 0);
        this.set({ fault: 'latency' }, s.latencyMs > 0 || s.latencyJitterMs > 0 ? 1 : 0);
      },
    });
  }
}
