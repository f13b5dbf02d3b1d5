import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import client, { type Registry } from 'prom-client';
import { logSink } from '../logging/logger.js';
import type { InFlightRegistry } from '../request-context/in-flight.registry.js';

// prom-client's default set repeats the per-type active handle/request/resource gauges as
// `*_total` gauges, which `promtool check metrics` rejects ("non-counter metrics should not have
// _total suffix"). They are dropped here: `sum(nodejs_active_handles)` gives the same number.
const PROMTOOL_REJECTED = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * Process and runtime instruments: prom-client's defaults (CPU, RSS, heap and heap spaces,
 * event-loop delay percentiles, GC pause histogram `nodejs_gc_duration_seconds`, fds), plus
 * event-loop utilization, the in-flight request gauge and log lines lost to a blocked stdout.
 */
export function registerRuntimeMetrics(registry: Registry, inFlight: InFlightRegistry): void {
  client.collectDefaultMetrics({ register: registry });
  for (const name of PROMTOOL_REJECTED) registry.removeSingleMetric(name);

  // Utilization between two scrapes: the share of time the loop was busy. Delay says how late
  // callbacks run; utilization says how close the process is to saturation before delay grows.
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  new client.Gauge({
    name: 'nodejs_eventloop_utilization_ratio',
    help: 'Event-loop utilization (0..1) since the previous scrape.',
    registers: [registry],
    collect() {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, last).utilization);
      last = now;
    },
  });

  // OTel semconv http.server.active_requests.
  new client.Gauge({
    name: 'http_server_active_requests',
    help: 'Requests being served on the public port right now.',
    registers: [registry],
    collect() {
      this.set(inFlight.size);
    },
  });

  // A log collector that stops reading fills the sink's backlog; lines past it are dropped
  // (logging/log.sink.ts) rather than stalling requests, and counted here.
  let dropped = 0;
  new client.Counter({
    name: 'log_lines_dropped_total',
    help: 'Log lines dropped because stdout did not keep up (backlog full) or failed.',
    registers: [registry],
    collect() {
      this.inc(logSink.dropped - dropped);
      dropped = logSink.dropped;
    },
  });
}
