import type { Metric } from 'prom-client';

/** One label combination's buckets; `observe` is a few array writes, no hashing. */
export interface HistogramSeries {
  observe(value: number): void;
}

interface Series {
  labels: Record<string, string | number>;
  counts: Float64Array; // per bucket, not cumulative; last slot is +Inf
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram for the per-request hot path. prom-client's Histogram validates and
 * hashes the label set on every observe (also through `labels()` children); here a series is
 * bound once and observing is an index walk (series.histogram.bench.ts).
 * Served by prom-client's Registry like any other metric (it reads `get()`).
 */
export class SeriesHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  /** Binds a label combination; call once per combination and keep the result. */
  bind(labels: Record<string, string | number>): HistogramSeries {
    const series: Series = {
      labels,
      counts: new Float64Array(this.buckets.length + 1),
      sum: 0,
      count: 0,
    };
    this.series.push(series);
    const bounds = this.buckets;
    return {
      observe(value: number): void {
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) i++;
        series.counts[i]! += 1;
        series.sum += value;
        series.count += 1;
      },
    };
  }

  /** As this metric appears in the exposition (prom-client's MetricObjectWithValues shape). */
  get() {
    const values = [];
    for (const s of this.series) {
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += s.counts[i] as number;
        const le = i < this.buckets.length ? (this.buckets[i] as number) : '+Inf';
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...s.labels, le },
          value: cumulative,
        });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  reset(): void {
    for (const s of this.series) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }

  /** For Registry.registerMetric, which is typed for prom-client's own classes. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
