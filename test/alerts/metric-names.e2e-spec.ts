/**
 * The alert rules and the dashboard cannot drift from the code: a real instance (child process,
 * real PostgreSQL and Redis, a real backend) serves a few requests of every kind, and every
 * metric name a rule expression or dashboard query selects must be in its /metrics (or be a
 * recording rule's output), every label a matcher tests must be on that metric's series, and the
 * label values the SLOs hinge on (`le="0.5"`, 5xx codes) must be spelled as the rules expect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import client from 'prom-client';
import { BackendServer, answer } from '../support/backend-server.js';
import { ROOT, startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv, REDIS_URL } from '../support/database.js';
import { parsePrometheusText, type Family } from '../support/prometheus-text.js';
import { alertRules, readRules } from './alert-rules.js';
import { dashboardQueries } from './grafana-dashboard.js';
import { selectors } from './promql.names.js';
import { registeredMetrics } from './registered-metrics.js';

// Added by Prometheus from the scrape target (ServiceMonitor), never by the process.
const TARGET_LABELS = new Set(['job', 'namespace', 'pod', 'instance', 'service', 'container']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

const queries = [
  ...readRules().flatMap((g) =>
    g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr })),
  ),
  ...dashboardQueries().map((q) => ({ where: `dashboard ${q.where}`, expr: q.expr })),
];
const recorded = new Set(readRules().flatMap((g) => g.rules.flatMap((r) => r.record ?? [])));

describe('every metric the rules and the dashboard read is exported by a running instance', () => {
  let backend: BackendServer;
  let child: Child;
  let database: Awaited<ReturnType<typeof defaultDatabaseEnv>>;
  let families: Map<string, Family>;

  beforeAll(async () => {
    backend = await new BackendServer(answer(200, { ok: true })).start();
    database = await defaultDatabaseEnv();
    child = await startChild({
      ...database.env,
      REDIS_URL,
      BACKEND_URLS: backend.url,
      ADMISSION_ENABLED: 'true',
    });
    const call = async (path: string, init?: RequestInit): Promise<Response> => {
      const res = await fetch(`${child.baseUrl}${path}`, init);
      await res.arrayBuffer();
      return res;
    };
    const json = { 'content-type': 'application/json' };
    expect((await call('/hello')).status).toBe(200);
    const created = await fetch(`${child.baseUrl}/api/items`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: `alerts-${Date.now()}` }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await call(`/api/items/${id}`)).status).toBe(200);
    expect((await call(`/api/items/${id}`)).status).toBe(200);
    expect((await call('/api/items')).status).toBe(200);
    expect((await call('/api/counters/alerts/increment', { method: 'POST' })).status).toBe(200);
    expect((await call('/api/counters/alerts')).status).toBe(200);
    expect((await call('/api/fanout')).status).toBe(200);
    expect((await call('/status/503')).status).toBe(503);
    expect((await call('/no/such/route')).status).toBe(404);

    const res = await fetch(`${child.adminUrl}/metrics`);
    expect(res.status).toBe(200);
    families = parsePrometheusText(await res.text());
  });

  afterAll(async () => {
    child?.process.kill('SIGTERM');
    await child?.exited;
    await backend?.close();
    await database?.drop();
  });

  /**
   * Sample names exported, with the label names seen on their series; a declared family counts
   * before its first sample (a labelled counter), with `undefined` labels: nothing to compare.
   */
  function exported(): Map<string, Set<string> | undefined> {
    const names = new Map<string, Set<string> | undefined>();
    for (const [family, { type, samples }] of families) {
      const declared = type === 'histogram' ? HISTOGRAM_SUFFIXES.map((s) => family + s) : [family];
      for (const name of declared) names.set(name, undefined);
      for (const sample of samples) {
        const labels = names.get(sample.name) ?? new Set<string>();
        for (const label of Object.keys(sample.labels)) labels.add(label);
        names.set(sample.name, labels);
      }
    }
    return names;
  }

  it('the rules and the dashboard have queries to check', () => {
    expect(alertRules().length).toBeGreaterThanOrEqual(12);
    expect(queries.length).toBeGreaterThan(40);
  });

  it('no query selects a metric the instance does not export (recording rules count)', () => {
    const names = exported();
    const missing = queries.flatMap(({ where, expr }) =>
      selectors(expr)
        .filter((s) => !names.has(s.name) && !recorded.has(s.name))
        .map((s) => `${where}: ${s.name}`),
    );
    expect(missing).toEqual([]);
  });

  it("the source scan the dashboard's coverage test relies on finds exactly the exported families", () => {
    // grafana-dashboard.spec.ts holds every metric registered in src/ to a panel (or a reason);
    // a registration written in a form its scan misses would escape that check.
    const registered = registeredMetrics();
    const defaults = new client.Registry();
    client.collectDefaultMetrics({ register: defaults });
    const runtime = new Set(defaults.getMetricsAsArray().map((m) => m.name));
    const exportedFamilies = [...families.keys()];
    expect(exportedFamilies.filter((name) => !registered.has(name) && !runtime.has(name))).toEqual(
      [],
    );
    expect([...registered.keys()].filter((name) => !families.has(name))).toEqual([]);
  });

  it("the prometheus-adapter rule for the HPA's in-flight metric selects an exported gauge", () => {
    // k8s/components/hpa-inflight-requests and the chart's autoscaling.inflightRequests read it.
    const rule = readFileSync(
      join(ROOT, 'k8s/components/hpa-inflight-requests/prometheus-adapter-rule.yaml'),
      'utf8',
    );
    const series = /seriesQuery: '([a-z_:]+)\{/.exec(rule)?.[1];
    expect(series).toBe('http_server_active_requests');
    expect(families.get(series!)?.type).toBe('gauge');
    expect(rule).toContain(`matches: '^${series}$'`);
  });

  it('no matcher tests a label the metric does not carry', () => {
    const names = exported();
    const unknown = queries.flatMap(({ where, expr }) =>
      selectors(expr).flatMap((s) => {
        // Recorded series carry what their rule keeps (namespace, job).
        const carried = names.get(s.name);
        if (!carried) return [];
        return s.labels
          .filter((label) => !TARGET_LABELS.has(label) && !carried.has(label))
          .map((label) => `${where}: ${s.name}{${label}}`);
      }),
    );
    expect(unknown).toEqual([]);
  });

  it('the label values the SLOs match are spelled as the rules expect', () => {
    const samples = (name: string) => families.get(name)?.samples ?? [];
    const buckets = samples('http_server_request_duration_seconds').filter((s) =>
      s.name.endsWith('_bucket'),
    );
    // The latency SLO reads the 0.5 s bucket by its exact `le` string.
    expect(buckets.some((s) => s.labels.le === '0.5')).toBe(true);
    // The availability SLO matches 5xx with the regex 5.. on the numeric code.
    const errors = buckets.filter((s) => /^5..$/.test(s.labels.http_response_status_code ?? ''));
    expect(errors.map((s) => s.labels.http_route)).toContain('/status/:code');
    expect(buckets.map((s) => s.labels.http_route)).toEqual(
      expect.arrayContaining(['/api/items', '/api/items/:id', '/api/fanout', 'unmatched']),
    );
    // Admission refusals (counted as errors) exist, by reason, before the first refusal.
    expect(
      samples('http_server_admission_rejections_total')
        .map((s) => s.labels.reason)
        .sort(),
    ).toEqual(['concurrency_limit', 'event_loop_delay']);
    expect(
      samples('otel_sdk_span_dropped_total')
        .map((s) => s.labels.reason)
        .sort(),
    ).toEqual(['export_failed', 'queue_full']);
  });
});
