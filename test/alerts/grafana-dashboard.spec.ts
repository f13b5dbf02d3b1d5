/**
 * The Grafana dashboard imports anywhere: current schema, its data source chosen through a
 * variable (no data-source uid of ours baked in), core panel types only, no external links or
 * images; every query is valid PromQL by promtool's own parser. Whether the series it reads
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

const dashboard = readDashboard();
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

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
    const rows = dashboard.panels.filter((p) => p.type === 'row');
    const at = rows.findIndex((r) => r.title === 'Breakers and upstreams');
    const [from, to] = [rows[at]!.gridPos.y, rows[at + 1]?.gridPos.y ?? Infinity];
    const drawn = new Set(
      panels
        .filter((p) => p.gridPos.y > from && p.gridPos.y < to)
        .flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))),
    );
    const resilience = [
      'db_client_circuit_state',
      'upstream_circuit_state',
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
