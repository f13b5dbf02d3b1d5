import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { OTHER_METHOD } from '../config/known-methods.field.js';
import type { TimeoutPhase } from '../protocol/socket-timeouts.js';
import { MetricsService } from './metrics.service.js';
import { SeriesHistogram, type HistogramSeries } from './series.histogram.js';

// OTel HTTP semantic conventions: the metric http.server.request.duration with these buckets
// (opentelemetry.io/docs/specs/semconv/http/http-metrics/), in Prometheus naming.
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/**
 * Distinct statuses kept apart per route and method; past them a status is counted under its
 * class (`4xx`, `5xx`: still matched by `=~"5.."`). A route's template bounds the label set,
 * but `GET /status/:code` answers whatever status a client asks for: 200-599 with GET and HEAD
 * was 800 histograms (~14,000 lines) that any anonymous client could add to every scrape. Real
 * routes answer a handful of statuses each.
 */
export const MAX_STATUSES_PER_ROUTE = 16;

/**
 * `http_server_request_duration_seconds` for the public listener, by route template (never the
 * raw URL: bounded cardinality), method and status. One per app (a Nest provider): the response
 * hook (http/http.hooks.ts) gets it from the container, so two apps in one process count apart.
 */
@Injectable()
export class HttpServerMetrics {
  readonly duration = new SeriesHistogram(
    'http_server_request_duration_seconds',
    'Duration of HTTP server requests (public port), from request received to response written.',
    BUCKETS,
  );
  /** route → method → its statuses' series. Looked up with the same strings every time (route
   * templates, the parser's method names), whose hashes V8 caches: no key is built per request
   * (series.histogram.bench.ts: against prom-client's Histogram and a flat joined-key map).
   * A method outside the known ones is a key of its own holding `_OTHER`'s statuses, so its
   * request pays the same one lookup; Node's parser accepts ~35 methods, which bounds the keys. */
  private readonly series = new Map<string, Map<string, MethodSeries>>();
  /** OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: the methods labelled by name. */
  private readonly knownMethods: ReadonlySet<string>;

  private readonly timeouts: Counter<'phase'>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, metrics: MetricsService) {
    this.knownMethods = new Set(config.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS);
    if (config.METRICS_ENABLED) metrics.registry.registerMetric(this.duration.asMetric());
    this.timeouts = metrics.counter({
      name: 'http_client_timeouts_total',
      help: 'Public connections closed by a timeout: headers too slow, body unfinished or answer not taken at the deadline, or idle (kept alive, or never sent a byte)',
      labelNames: ['phase'] as const,
    });
    for (const phase of ['headers', 'body', 'send', 'idle'] as const)
      this.timeouts.inc({ phase }, 0);
  }

  /** `http_client_timeouts_total{phase}` (protocol/socket-timeouts.ts says what each phase is). */
  countTimeout(phase: TimeoutPhase): void {
    this.timeouts.inc({ phase });
  }

  /**
   * Records one finished request (called from the onResponse hook in http.hooks.ts).
   * @param route the route template (`unmatched` for 404s), never the raw URL
   * @param method the method as sent; labelled `_OTHER` when it is not a known one
   */
  record(route: string, method: string, status: number, elapsedMs: number): void {
    let byMethod = this.series.get(route);
    if (!byMethod) this.series.set(route, (byMethod = new Map()));
    const byStatus = byMethod.get(method) ?? this.methodStatuses(byMethod, method);
    const series = byStatus.get(status) ?? this.bind(route, byStatus, status);
    series.observe(elapsedMs / 1000);
  }

  /**
   * A method's first request on a route: its statuses, `_OTHER`'s for a method outside the
   * known ones (OTel HTTP semconv: `http.request.method` is `_OTHER` for those; PROPFIND, MKCOL
   * and PURGE were a series each). Decided once per route and method, not per request.
   */
  private methodStatuses(byMethod: Map<string, MethodSeries>, method: string): MethodSeries {
    const label = this.knownMethods.has(method) ? method : OTHER_METHOD;
    let byStatus = byMethod.get(label);
    if (!byStatus) byMethod.set(label, (byStatus = new MethodSeries(label)));
    byMethod.set(method, byStatus);
    return byStatus;
  }

  /** A new status's series; past MAX_STATUSES_PER_ROUTE, its class's (kept under -class). */
  private bind(route: string, byStatus: MethodSeries, status: number): HistogramSeries {
    const exact = byStatus.size < MAX_STATUSES_PER_ROUTE;
    const statusClass = Math.floor(status / 100);
    const key = exact ? status : -statusClass;
    let series = byStatus.get(key);
    if (!series) {
      series = this.duration.bind({
        http_route: route,
        http_request_method: byStatus.method,
        http_response_status_code: exact ? status : `${statusClass}xx`,
      });
      byStatus.set(key, series);
    }
    return series;
  }
}

/** One route's and method label's series, by status (a status class under its negative). */
class MethodSeries extends Map<number, HistogramSeries> {
  constructor(readonly method: string) {
    super();
  }
}
