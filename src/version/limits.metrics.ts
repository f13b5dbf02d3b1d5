import { Injectable } from '@nestjs/common';
import { getHeapStatistics } from 'node:v8';
import type { Gauge } from 'prom-client';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { CgroupLimits } from './cgroup.limits.js';
import { LimitsCache } from './limits.cache.js';

const log = logger.child({ module: 'version' });

/**
 * The limits this container runs under, on /metrics, so the dashboard draws CPU and memory
 * against them without kube-state-metrics or cAdvisor (the event-loop lag alert's runbook says
 * "CPU near the limit"), and the heap's ceiling beside the heap. Read through LimitsCache, at
 * most a second old: Kubernetes can resize a pod's resources in place. An unlimited resource has
 * no series (a 0 would read as no CPU at all); the `cgroup` label says which hierarchy was read
 * (cgroup.limits.ts).
 */
@Injectable()
export class LimitsMetrics {
  constructor(metrics: MetricsService, cache: LimitsCache) {
    // Both gauges collect at once (registry.metrics(), Promise.all) and share the cache's read.
    // A read that failed leaves them out of this scrape rather than failing all of /metrics.
    const limits = () =>
      cache.current().catch((error: unknown) => {
        log.warn({ err: error }, 'cgroup limits unreadable: limit gauges left out of this scrape');
        return undefined;
      });
    metrics.gauge({
      name: 'process_cpu_limit_cores',
      help: 'CPU limit of this container, in cores (cgroup quota / period); absent when unlimited.',
      labelNames: ['cgroup'],
      async collect() {
        show(this, await limits(), (limits) => limits.cpu);
      },
    });
    metrics.gauge({
      name: 'process_memory_limit_bytes',
      help: 'Memory limit of this container (cgroup memory.max); absent when unlimited.',
      labelNames: ['cgroup'],
      async collect() {
        show(this, await limits(), (limits) => limits.memoryBytes);
      },
    });
    metrics.readGauge(
      'nodejs_heap_size_limit_bytes',
      "V8's heap ceiling (old space and young generation): heap used past it ends the process.",
      () => getHeapStatistics().heap_size_limit,
    );
  }
}

function show(
  gauge: Gauge<'cgroup'>,
  limits: CgroupLimits | undefined,
  pick: (limits: CgroupLimits) => number | 'unlimited',
): void {
  gauge.reset();
  if (limits === undefined) return;
  const value = pick(limits);
  if (value !== 'unlimited') gauge.set({ cgroup: limits.cgroup }, value);
}
