import { Inject, Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { AdmissionService } from '../admission/admission.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { ProblemCounts } from '../errors/problem.counts.js';
import { ReadinessService } from '../health/readiness.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { telemetryHandle } from '../telemetry/telemetry.handle.js';
import { CounterHistory } from './counter.history.js';
import { readinessOf } from './status.readiness.js';
import type { Counted, StatusSnapshot } from './status.snapshot.js';

/** How far back "recent" looks: the counters as read a minute ago, if the page was open then. */
const WINDOW_MS = 60_000;
/** Reads kept at most this often: the page polls every few seconds, a second is finer. */
const SPACING_MS = 1_000;
// cockatiel's CircuitState numbering, as upstream_circuit_state exports it.
const CIRCUIT_STATES = ['closed', 'open', 'half-open', 'isolated'];

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

/**
 * Builds the status page's figures from what the service already tracks: the prom-client
 * registry (admission, pool, breakers, cache), admission's event-loop window, the problem
 * counts, the readiness checks (no I/O: each reads state its module keeps) and the span store.
 * Nothing is recorded per request for this page; the only state of its own is the counters as
 * read at earlier visits (for "recent"), one a second at most, kept for a minute and only while
 * someone reads. Gauges are read through their collect callbacks, never the event-loop-lag
 * histogram, whose read resets what Prometheus would scrape.
 */
@Injectable()
export class StatusCollector {
  private readonly registry: Registry;
  private readonly history = new CounterHistory(WINDOW_MS, SPACING_MS);
  private lastLoop: EventLoopUtilization = performance.eventLoopUtilization();

  constructor(
    metrics: MetricsService,
    private readonly admission: AdmissionService,
    private readonly inFlight: InFlightRegistry,
    private readonly problemCounts: ProblemCounts,
    private readonly readiness: ReadinessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.registry = metrics.registry;
  }

  /** Earlier reads kept for "recent" (at most WINDOW_MS / SPACING_MS + 1). */
  get keptReads(): number {
    return this.history.size;
  }

  async snapshot(): Promise<StatusSnapshot> {
    const now = performance.now();
    const counters = new Map<string, number>();
    const read = async (name: string): Promise<Sample[]> => {
      const values = ((await this.registry.getSingleMetric(name)?.get())?.values ?? []) as Sample[];
      return values;
    };
    const count = async (name: string, label: string): Promise<Map<string, number>> => {
      const byLabel = new Map<string, number>();
      for (const s of await read(name)) {
        const key = String(s.labels[label]);
        byLabel.set(key, s.value);
        counters.set(`${name}|${key}`, s.value);
      }
      return byLabel;
    };

    const refusals = await count('http_server_admission_rejections_total', 'reason');
    const cache = await count('items_cache_requests_total', 'result');
    const waits = new Map<string, number>();
    for (const s of await read('db_client_connection_wait_time_seconds')) {
      if (!s.metricName?.endsWith('_bucket')) continue;
      waits.set(String(s.labels.le), s.value);
      counters.set(`wait|${s.labels.le}`, s.value);
    }
    const calls = await read('upstream_calls_total');
    for (const s of calls) counters.set(`calls|${s.labels.backend}|${s.labels.outcome}`, s.value);
    const problems = this.problemCounts.snapshot();
    for (const [code, n] of problems) counters.set(`problem|${code}`, n);

    const baseline = this.history.remember(now, counters);
    const counted = (key: string, total: number): Counted => ({
      total,
      recent: total - (baseline.get(key) ?? 0),
    });
    const group = (name: string, values: Map<string, number>): Record<string, Counted> =>
      Object.fromEntries([...values].map(([k, v]) => [k, counted(`${name}|${k}`, v)]));

    const connections = await read('db_client_connection_count');
    const gauge = async (name: string): Promise<number | null> =>
      (await read(name))[0]?.value ?? null;
    const cacheResults = group('items_cache_requests_total', cache);
    const loopNow = performance.eventLoopUtilization();
    const loop = performance.eventLoopUtilization(loopNow, this.lastLoop);
    this.lastLoop = loopNow;
    const breaker = await gauge('db_client_circuit_state');

    return {
      service: this.config.OTEL_SERVICE_NAME,
      version: this.config.SERVICE_VERSION,
      pod: this.config.POD_NAME ?? hostname(),
      nodeVersion: process.version,
      uptimeSeconds: Math.round(process.uptime()),
      windowSeconds: Math.round((now - (this.history.oldestAt ?? now)) / 1000),
      readiness: readinessOf(await this.readiness.currentChecks()),
      requests: {
        inFlight: this.inFlight.size,
        admission: {
          enabled: this.admission.enabled,
          limit: this.admission.limit,
          admitted: this.admission.inFlight,
          queued: (await gauge('http_server_admission_queued')) ?? 0,
          refusals: group('http_server_admission_rejections_total', refusals),
          connections: (await gauge('http_server_open_connections')) ?? 0,
          holdingConnections: this.admission.connectionsHeld,
        },
      },
      database: {
        inUse: connections.find((s) => s.labels.state === 'used')?.value ?? null,
        idle: connections.find((s) => s.labels.state === 'idle')?.value ?? null,
        max: await gauge('db_client_connection_max'),
        waiting: await gauge('db_client_connection_pending_requests'),
        acquireP99: p99(waits, baseline),
        breaker: breaker === null ? null : breaker === 1 ? 'open' : 'closed',
      },
      upstreams: await this.upstreams(read, calls, counted),
      cache: {
        hitRatio: ratio(cacheResults, 'total'),
        recentHitRatio: ratio(cacheResults, 'recent'),
        results: cacheResults,
      },
      eventLoop: {
        utilization: loop.utilization,
        delayMaxMs: this.admission.loop.last.delayMaxMs,
        delayMeanMs: this.admission.loop.last.delayMeanMs,
      },
      errors: [...problems]
        .map(([code, n]) => ({ code, ...counted(`problem|${code}`, n) }))
        .sort((a, b) => b.recent - a.recent || b.total - a.total),
      traces: telemetryHandle()?.spanStore?.stats() ?? null,
    };
  }

  private async upstreams(
    read: (name: string) => Promise<Sample[]>,
    calls: Sample[],
    counted: (key: string, total: number) => Counted,
  ): Promise<StatusSnapshot['upstreams']> {
    return (await read('upstream_circuit_state')).map((s) => {
      const backend = String(s.labels.backend);
      const outcomes = calls
        .filter((c) => c.labels.backend === backend)
        .map((c) => [
          String(c.labels.outcome),
          counted(`calls|${backend}|${c.labels.outcome}`, c.value),
        ]);
      return {
        backend,
        state: CIRCUIT_STATES[s.value] ?? String(s.value),
        outcomes: Object.fromEntries(outcomes),
      };
    });
  }
}

/** Share of cache reads answered from memory (coalesced reads joined a query: not hits). */
function ratio(results: Record<string, Counted>, which: keyof Counted): number | null {
  const hits = results.hit?.[which] ?? 0;
  const all = Object.values(results).reduce((sum, c) => sum + c[which], 0);
  return all === 0 ? null : hits / all;
}

/**
 * The upper bound of the bucket holding the 99th percentile: from the waits since the baseline
 * when there were any, else from every wait since start. Cumulative buckets, keyed by `le`.
 */
function p99(
  buckets: Map<string, number>,
  baseline: ReadonlyMap<string, number>,
): StatusSnapshot['database']['acquireP99'] {
  const pick = (recent: boolean) =>
    [...buckets]
      .map(([le, n]) => ({
        le: le === '+Inf' ? Infinity : Number(le),
        n: recent ? n - (baseline.get(`wait|${le}`) ?? 0) : n,
      }))
      .sort((a, b) => a.le - b.le);
  let rows = pick(true);
  if ((rows.at(-1)?.n ?? 0) === 0) rows = pick(false);
  const total = rows.at(-1)?.n ?? 0;
  if (total === 0) return null;
  const at = rows.findIndex((r) => r.n >= total * 0.99);
  const row = rows[at]!;
  if (Number.isFinite(row.le)) return { ms: row.le * 1000, above: false };
  return { ms: (rows[at - 1]?.le ?? 0) * 1000, above: true };
}
