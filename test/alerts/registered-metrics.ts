/**
 * The metric families rampart's own code registers, read from src/ without starting anything:
 * `metrics.counter|gauge|histogram({ name: '...' })` and `readGauge('...')` (MetricsService),
 * prom-client's `new client.Counter|Gauge|Histogram({ name: '...' })`, and
 * `new SeriesHistogram('...')`. prom-client's default set (`collectDefaultMetrics`) is not
 * among them. A registration written another way would be missed here; metric-names.e2e-spec.ts
 * compares this list with a running instance's /metrics, so such a miss fails there.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../support/child-process.js';

const SRC = join(ROOT, 'src');
const NAME = `'([a-zA-Z_:][a-zA-Z0-9_:]*)'`;
const REGISTRATIONS = [
  new RegExp(`\\.(?:counter|gauge|histogram)(?:<[^>(]*>)?\\(\\s*\\{\\s*name:\\s*${NAME}`, 'g'),
  new RegExp(`\\.readGauge\\(\\s*${NAME}`, 'g'),
  new RegExp(`new client\\.(?:Counter|Gauge|Histogram|Summary)\\(\\s*\\{\\s*name:\\s*${NAME}`, 'g'),
  new RegExp(`new SeriesHistogram\\(\\s*${NAME}`, 'g'),
];
// A histogram's series: what a query names to read it.
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** Every family registered in src/ (tests and benchmarks left out), with the file that does it. */
export function registeredMetrics(): Map<string, string> {
  const found = new Map<string, string>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !/\.(spec|bench)\.ts$/.test(f),
  );
  for (const file of files.sort()) {
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const pattern of REGISTRATIONS) {
      for (const match of text.matchAll(pattern)) {
        found.set(match[1] as string, relative(ROOT, join(SRC, file)));
      }
    }
  }
  return found;
}

/** The family a selected series belongs to: `x_bucket` is read from histogram `x`. */
export function familyOf(series: string, families: ReadonlySet<string>): string {
  for (const suffix of HISTOGRAM_SUFFIXES) {
    const base = series.slice(0, -suffix.length);
    if (series.endsWith(suffix) && families.has(base)) return base;
  }
  return series;
}
