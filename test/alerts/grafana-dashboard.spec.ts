/**
 * The Grafana dashboard imports anywhere: current schema, its data source chosen through a
 * variable (no data-source uid of ours baked in), core panel types only, no external links or
 * images; every query is valid PromQL by promtool's own parser; every metric rampart registers
 * is drawn by a panel or listed, with its reason, as not drawn. Whether the series it reads
 * exist is checked against a running instance (metric-names.e2e-spec.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hasPromtool } from '../support/promtool.js';
import {
  DASHBOARD_PATH,
  dashboardQueries,
  readDashboard,
  withVariablesFilled,
} from './grafana-dashboard.js';
import { metricNames } from './promql.names.js';
import { familyOf, registeredMetrics } from './registered-metrics.js';

const dashboard = readDashboard();
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/**
 * Metrics rampart registers that no panel draws, each with the reason. An operator in an
 * incident reads the dashboard, not /metrics: a new metric gets a panel, or a line here saying
 * why it does not deserve one. (prom-client's default process and runtime set is not rampart's
 * own and is not held to this.)
 */
const UNDRAWN: Record<string, string> = {
  // A start-up fact, not an incident signal: a library is patched when it loads or never, the
  // pod logs a warning naming each miss once modules are loaded, and what it costs (spans
  // missing from traces) is read in the traces, not in a graph over time.
  otel_instrumentation_patched: 'start-up self-check of the tracing instrumentations',
};

/** The panels between a row and the next one. */
function panelsOfRow(title: string): typeof panels {
  const rows = dashboard.panels.filter((p) => p.type === 'row');
  const at = rows.findIndex((r) => r.title === title);
  if (at < 0) throw new Error(`no row "${title}"`);
  const [from, to] = [rows[at]!.gridPos.y, rows[at + 1]?.gridPos.y ?? Infinity];
  return panels.filter((p) => p.gridPos.y > from && p.gridPos.y < to);
}

function drawnBy(some: typeof panels): Set<string> {
  return new Set(some.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))));
}

describe('charts/rampart/files/grafana-dashboard.json', () => {
  it('is a current dashboard with a stable uid and a Prometheus data-source variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBe('rampart');
    expect(dashboard.templating.list[0]).toMatchObject({
      name: 'datasource',
      type: 'datasource',
      query: 'prometheus',
    });
    // An export's __inputs would make import ask for a data source our variable already picks.
    expect(Object.keys(dashboard)).not.toContain('__inputs');
  });

  it('every panel, target and query variable reads from the chosen data source', () => {
    const sources = [
      ...panels.flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
      ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => v.datasource),
    ];
    expect(sources.length).toBeGreaterThan(panels.length);
    for (const source of sources) expect(source).toEqual(DATASOURCE);
  });

  it('uses core panel types only and loads nothing from outside (no URLs)', () => {
    const types = new Set(dashboard.panels.map((p) => p.type));
    expect([...types].filter((t) => !['row', 'stat', 'timeseries'].includes(t))).toEqual([]);
    expect(readFileSync(DASHBOARD_PATH, 'utf8')).not.toMatch(/:\/\//);
  });

  it('lays panels out on the 24-column grid without overlaps, ids unique', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    const problems: string[] = [];
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      if (x + w > 24) problems.push(`${p.title} is wider than the grid`);
      for (let col = x; col < x + w; col++) {
        for (let row = y; row < y + h; row++) {
          const other = cells.get(`${col},${row}`);
          if (other) problems.push(`${p.title} overlaps ${other}`);
          cells.set(`${col},${row}`, p.title);
        }
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('has the sections operators look for, each panel described and querying', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual([
      'Service level objectives',
      'Requests (RED per route)',
      'Saturation',
      'Database pool',
      'Items and counters',
      'Breakers and upstreams',
      'Telemetry health',
    ]);
    for (const p of panels) {
      expect({ panel: p.title, described: (p.description ?? '').length > 10 }).toEqual({
        panel: p.title,
        described: true,
      });
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(metricNames(t.expr).length).toBeGreaterThan(0);
    }
  });

  it('the breakers row draws both breakers, the upstream calls and each policy around them', () => {
    const drawn = drawnBy(panelsOfRow('Breakers and upstreams'));
    const resilience = [
      'db_client_circuit_state',
      'upstream_circuit_state',
      // A breaker that opens and closes between two scrapes shows in no state gauge.
      'db_client_circuit_transitions_total',
      'upstream_circuit_transitions_total',
      // Half-open probes given back undecided: a breaker that stays half-open while its
      // callers' deadlines keep cutting the probe (docs/resilience.md).
      'upstream_circuit_probes_released_total',
      'upstream_calls_total',
      'upstream_retries_total',
      'upstream_retry_budget_exhausted_total',
      'upstream_timeouts_total',
      'upstream_bulkhead_rejections_total',
      'upstream_bulkhead_active_calls',
      'upstream_bulkhead_queue_depth',
    ];
    expect(resilience.filter((name) => !drawn.has(name))).toEqual([]);
  });

  it('every metric rampart registers is drawn by a panel or listed as not drawn, with why', () => {
    const registered = registeredMetrics();
    // The scan reads src/; metric-names.e2e-spec.ts checks it finds every family /metrics has.
    expect(registered.size).toBeGreaterThan(40);
    const families = new Set(registered.keys());
    const drawn = new Set([...drawnBy(panels)].map((name) => familyOf(name, families)));
    const undrawn = [...registered]
      .filter(([name]) => !drawn.has(name) && !(name in UNDRAWN))
      .map(([name, file]) => `${name} (${file})`);
    expect(undrawn).toEqual([]);
    // The list stays true: nothing on it is drawn after all, or gone from the code.
    for (const name of Object.keys(UNDRAWN)) {
      expect({ name, registered: registered.has(name), drawn: drawn.has(name) }).toEqual({
        name,
        registered: true,
        drawn: false,
      });
    }
  });

  it('the first row says whether faults are injected, request and process faults alike', () => {
    const stat = panelsOfRow('Service level objectives').find(
      (p) => p.type === 'stat' && drawnBy([p]).has('chaos_process_fault_active'),
    );
    expect(stat && [...drawnBy([stat])].sort()).toEqual([
      'chaos_process_fault_active',
      'chaos_request_fault_active',
    ]);
  });

  it('the saturation row draws admission, connections, client timeouts and the rate limit', () => {
    const drawn = drawnBy(panelsOfRow('Saturation'));
    const overload = [
      'http_server_admission_limit',
      'http_server_admission_rejections_total',
      // A hold shorter than a scrape interval is seen only in this counter, not the gauge.
      'http_server_admission_holding_connections',
      'http_server_admission_holds_total',
      // Clients gone while queued: never routed, so in no request histogram.
      'http_server_admission_abandoned_total',
      'http_server_admission_baseline_latency_seconds',
      'http_server_open_connections',
      'http_server_connections_dropped_total',
      'http_client_timeouts_total',
      'http_server_rate_limit_fail_open_total',
      // What process chaos does, beside the signal it moves.
      'chaos_event_loop_blocked_seconds_total',
      'chaos_cpu_burn_seconds_total',
      'chaos_memory_held_bytes',
    ];
    expect(overload.filter((name) => !drawn.has(name))).toEqual([]);
  });

  it('the items and counters row draws the item cache, idempotent creates and write combining', () => {
    const drawn = drawnBy(panelsOfRow('Items and counters'));
    const features = [
      'items_cache_requests_total',
      'items_cache_invalidations_total',
      'items_cache_invalidations_unpublished_total',
      'items_cache_invalidations_unconfirmed_total',
      'items_cache_blind',
      'items_idempotent_creates_total',
      // Histogram: _sum / _count is increments per statement.
      'counters_increment_batch_size_sum',
      'counters_increment_batch_size_count',
      'counters_increments_queued',
      'counters_increments_withdrawn_total',
    ];
    expect(features.filter((name) => !drawn.has(name))).toEqual([]);
  });

  it('every query parses under promtool (variables filled in)', () => {
    expect({ promtool: hasPromtool }).toEqual({ promtool: true });
    const dir = mkdtempSync(join(tmpdir(), 'rampart-dashboard-'));
    try {
      const rules = dashboardQueries().map((q, i) => ({
        record: `dashboard:query:${i}`,
        expr: withVariablesFilled(q.expr),
      }));
      const file = join(dir, 'queries.yaml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({
        status: 0,
        output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
