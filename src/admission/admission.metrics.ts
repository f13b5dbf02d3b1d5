import type { Counter } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service.js';

/** What the gauges read at scrape time. */
export interface AdmissionState {
  limit(): number;
  inFlight(): number;
  /** Admitted requests parked on shared work, their slots lent out (admission.slot.ts). */
  parked(): number;
  queued(): number;
  baselineMs(): number;
  /** Open connections on the public listener (counted while admission is on). */
  connections(): number;
  /** 1 while the public port holds its connections near the limit (listener.pause.ts). */
  holding(): number;
}

/**
 * Admission's instruments on the admin port's /metrics. Gauges are read at scrape time (no work
 * per request); counters are bound to their label once, so a rejection costs one addition.
 */
export class AdmissionMetrics {
  readonly rejectedByLimit: { inc(value?: number): void };
  readonly rejectedByLoop: { inc(value?: number): void };
  readonly connectionsDropped: Counter;
  readonly abandoned: Counter;
  readonly holds: Counter;

  constructor(metrics: MetricsService, state: AdmissionState) {
    metrics.readGauge(
      'http_server_admission_limit',
      'Adaptive concurrency limit of the public port: requests admitted in flight at once.',
      () => state.limit(),
    );
    metrics.readGauge(
      'http_server_admission_in_flight',
      'Requests admitted on the public port, not yet finished, holding a slot (probes and parked requests excluded).',
      () => state.inFlight(),
    );
    metrics.readGauge(
      'http_server_admission_parked',
      'Admitted requests waiting on work shared with others (a counter batch, a coalesced read), their slots lent out.',
      () => state.parked(),
    );
    metrics.readGauge(
      'http_server_admission_queued',
      'Requests over the limit waiting for a slot (ADMISSION_QUEUE_MAX bounds it).',
      () => state.queued(),
    );
    metrics.readGauge(
      'http_server_admission_baseline_latency_seconds',
      'No-load latency the concurrency limit compares each window against.',
      () => state.baselineMs() / 1000,
    );
    metrics.readGauge(
      'http_server_open_connections',
      'Open connections on the public listener (idle keep-alive ones included).',
      () => state.connections(),
    );
    metrics.readGauge(
      'http_server_admission_holding_connections',
      '1 while sustained CPU-bound overload holds the public port near the limit: new connects are refused by the kernel, unseen by any other metric here.',
      () => state.holding(),
    );
    const rejections = metrics.counter<'reason'>({
      name: 'http_server_admission_rejections_total',
      help: 'Requests refused with 503 at admission, by reason.',
      labelNames: ['reason'],
    });
    this.rejectedByLimit = rejections.labels({ reason: 'concurrency_limit' });
    this.rejectedByLoop = rejections.labels({ reason: 'event_loop_delay' });
    // Both series exist from the start, so rate() works before the first rejection.
    this.rejectedByLimit.inc(0);
    this.rejectedByLoop.inc(0);
    this.connectionsDropped = metrics.counter({
      name: 'http_server_connections_dropped_total',
      help: 'Connections closed at accept because the public port held HTTP_MAX_CONNECTIONS.',
    });
    // The gauge above is 1 only while a hold lasts: a hold of half a second (a burst on a cold
    // pod, whose queued connects the closing listener resets) was over before any scrape saw it.
    this.holds = metrics.counter({
      name: 'http_server_admission_holds_total',
      help: 'Times sustained CPU-bound overload closed the public port: new connects refused by the kernel, those waiting in its accept queue reset.',
    });
    // Never routed, so in no request histogram or access line: counted here, or not at all.
    this.abandoned = metrics.counter({
      name: 'http_server_admission_abandoned_total',
      help: 'Requests whose client left while they waited in the admission queue (never served).',
    });
  }
}
