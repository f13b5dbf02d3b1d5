import type { Counter, Histogram } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service.js';

/**
 * What write combining does: the batch-size histogram's `_count` is statements sent and its
 * `_sum` the increments they carried, so `_sum / _count` is increments per statement. The
 * queue gauge is read at scrape time.
 */
export class CountersMetrics {
  private readonly batchSize: Histogram;
  private readonly withdrawnTotal: Counter;

  constructor(metrics: MetricsService, waiting: () => number) {
    this.batchSize = metrics.histogram({
      name: 'counters_increment_batch_size',
      help: 'Increments carried by one counter statement (count: statements, sum: increments)',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    });
    this.withdrawnTotal = metrics.counter({
      name: 'counters_increments_withdrawn_total',
      help: 'Increments whose request ended before their statement was sent (not applied)',
    });
    metrics.readGauge(
      'counters_increments_queued',
      'Increments waiting for the in-flight statement of their counter to finish',
      () => waiting(),
    );
  }

  sent(size: number): void {
    this.batchSize.observe(size);
  }

  withdrawn(): void {
    this.withdrawnTotal.inc();
  }
}
