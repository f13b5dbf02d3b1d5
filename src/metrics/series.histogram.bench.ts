/**
 * ns per recorded request in the request-duration histogram: HttpServerMetrics' nested maps of
 * bound SeriesHistogram series, against prom-client's Histogram with its label object (the plain
 * choice), and against one flat Map keyed by a joined string. A realistic mix: 12 routes, 3
 * methods, 4 statuses. If the nested maps stop winning clearly, use prom-client's Histogram.
 *   npm run bench -- micro   (or: npm run build && node dist/metrics/series.histogram.bench.js)
 */
import { Histogram, Registry } from 'prom-client';
import { SeriesHistogram, type HistogramSeries } from './series.histogram.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const ROUTES = Array.from({ length: 12 }, (_, i) => `/api/route${i}/:id`);
const METHODS = ['GET', 'POST', 'PUT'];
const STATUSES = [200, 201, 404, 503];
const REQUESTS = Array.from({ length: 4096 }, (_, i) => ({
  route: ROUTES[i % ROUTES.length] as string,
  method: METHODS[(i >> 4) % METHODS.length] as string,
  status: STATUSES[(i >> 6) % STATUSES.length] as number,
  ms: (i % 97) / 3,
}));

type Record = (route: string, method: string, status: number, ms: number) => void;

function promClient(): Record {
  const h = new Histogram({
    name: 'd',
    help: 'd',
    buckets: BUCKETS,
    labelNames: ['http_route', 'http_request_method', 'http_response_status_code'],
    registers: [new Registry()],
  });
  return (route, method, status, ms) =>
    h.observe(
      { http_route: route, http_request_method: method, http_response_status_code: status },
      ms / 1000,
    );
}

function flatMap(): Record {
  const histogram = new SeriesHistogram('d', 'd', BUCKETS);
  const series = new Map<string, HistogramSeries>();
  return (route, method, status, ms) => {
    const key = `${route} ${method} ${status}`;
    let s = series.get(key);
    if (!s) {
      s = histogram.bind({
        http_route: route,
        http_request_method: method,
        http_response_status_code: status,
      });
      series.set(key, s);
    }
    s.observe(ms / 1000);
  };
}

/** The shape of HttpServerMetrics.record (route → method → status → bound series). */
function nestedMaps(): Record {
  const histogram = new SeriesHistogram('d', 'd', BUCKETS);
  const series = new Map<string, Map<string, Map<number, HistogramSeries>>>();
  return (route, method, status, ms) => {
    let byMethod = series.get(route);
    if (!byMethod) series.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let s = byStatus.get(status);
    if (!s) {
      s = histogram.bind({
        http_route: route,
        http_request_method: method,
        http_response_status_code: status,
      });
      byStatus.set(status, s);
    }
    s.observe(ms / 1000);
  };
}

function nsPerRecord(record: Record): number {
  const rounds = 200;
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const q of REQUESTS) record(q.route, q.method, q.status, q.ms);
  }
  return Number(process.hrtime.bigint() - started) / (rounds * REQUESTS.length);
}

process.stdout.write('one request recorded (route, method, status, duration)\n');
for (const [name, make] of [
  ['prom-client Histogram.observe (plain)', promClient],
  ['flat Map, joined key + bound series', flatMap],
  ['nested maps + bound series (HttpServerMetrics)', nestedMaps],
] as const) {
  const record = make();
  nsPerRecord(record); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerRecord(record)));
  process.stdout.write(`  ${name.padEnd(48)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
