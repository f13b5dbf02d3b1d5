/**
 * What an alert's annotations send the operator to exists: each metric is one rampart exports and
 * the dashboard draws, each variable one the app reads, each code one the problem catalog has,
 * each panel one the dashboard has. RampartEventLoopLag's runbook named GC pauses
 * (nodejs_gc_duration_seconds), which no panel drew: a pointer at nothing, read mid-incident.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import client from 'prom-client';
import { configSchema } from '../../src/config/config.schema.js';
import { PROBLEM_CATALOG } from '../../src/errors/problem.catalog.js';
import { RUNTIME_ENV } from '../k8s/consistency.helpers.js';
import { ROOT } from '../support/child-process.js';
import { alertRules } from './alert-rules.js';
import { readDashboard } from './grafana-dashboard.js';
import { metricNames } from './promql.names.js';
import { familyOf, registeredMetrics } from './registered-metrics.js';

/** Metrics a runbook names for a query at the moment, with why no panel draws them. */
const QUERIED_NOT_DRAWN: Record<string, string> = {
  // Headroom matters only when raising HTTP_MAX_CONNECTIONS: one query then, not a signal to watch.
  process_open_fds: 'file descriptors in use, against process_max_fds',
  process_max_fds: 'the file-descriptor limit, against process_open_fds',
};

function exportedFamilies(): Set<string> {
  const defaults = new client.Registry();
  client.collectDefaultMetrics({ register: defaults });
  const runtime = defaults.getMetricsAsArray().map((m) => m.name);
  return new Set([...registeredMetrics().keys(), ...runtime]);
}

const families = exportedFamilies();
const dashboard = readDashboard();
const drawn = new Set(
  dashboard.panels.flatMap((p) =>
    (p.targets ?? []).flatMap((t) => metricNames(t.expr).map((n) => familyOf(n, families))),
  ),
);
const titles = new Set(dashboard.panels.map((p) => p.title));
const alerts = alertRules().map((r) => ({
  alert: r.alert,
  text: Object.values(r.annotations ?? {}).join('\n'),
}));

/** Lower snake_case words that start like a metric family does (`nodejs_`, `db_client_`, …);
 * label values (`queue_full`) and PostgreSQL settings (`max_connections`) do not. */
function metricsNamed(text: string): string[] {
  const prefixes = new Set([...families].map((f) => f.split('_')[0]));
  return [...text.matchAll(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g)]
    .map((m) => m[0])
    .filter((word) => prefixes.has(word.split('_')[0]));
}

/** Panel and row titles a runbook names the way they read: "the CPU panel". */
function panelsNamed(text: string): string[] {
  return [...text.matchAll(/\bthe ([A-Z][^,;:]*?) (?:panel|row)\b/g)].map((m) => m[1]!);
}

describe('alert annotations name only what exists', () => {
  it('name metrics and panels at all (the checks below can fail)', () => {
    expect(alerts.flatMap((a) => metricsNamed(a.text)).length).toBeGreaterThan(5);
    expect(alerts.flatMap((a) => panelsNamed(a.text))).toContain('CPU');
  });

  it.each(alerts.map((a) => [a.alert, a.text] as const))(
    '%s: each metric is exported and drawn on the dashboard',
    (_alert, text) => {
      const problems = metricsNamed(text).flatMap((name) => {
        const family = familyOf(name, families);
        if (!families.has(family)) return [`${name}: not exported`];
        if (!drawn.has(family) && !(family in QUERIED_NOT_DRAWN)) return [`${name}: not drawn`];
        return [];
      });
      expect(problems).toEqual([]);
    },
  );

  it.each(alerts.map((a) => [a.alert, a.text] as const))(
    '%s: each variable is one the app or Node reads, each code one the catalog has',
    (_alert, text) => {
      const known = new Set([
        ...Object.keys(configSchema.shape),
        ...RUNTIME_ENV,
        ...Object.keys(PROBLEM_CATALOG),
      ]);
      const names = [...text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((m) => m[0]);
      expect(names.filter((name) => !known.has(name))).toEqual([]);
    },
  );

  it.each(alerts.map((a) => [a.alert, a.text] as const))(
    '%s: each panel or row it names ("the CPU panel") is on the dashboard',
    (_alert, text) => {
      expect(panelsNamed(text).filter((title) => !titles.has(title))).toEqual([]);
    },
  );

  it('the queried-not-drawn list stays true: exported, and not drawn after all', () => {
    for (const name of Object.keys(QUERIED_NOT_DRAWN)) {
      expect({ name, exported: families.has(name), drawn: drawn.has(name) }).toEqual({
        name,
        exported: true,
        drawn: false,
      });
    }
  });
});

describe('docs/alerts.md runbooks', () => {
  const section = readFileSync(join(ROOT, 'docs/alerts.md'), 'utf8')
    .split(/^## The alerts and their runbooks$/m)[1]!
    .split(/^## /m)[0]!
    // Code spans hold snake_case names whose underscores are not emphasis.
    .replace(/`[^`]*`/g, '');
  const italics = [...section.matchAll(/(?<!\w)_([^_\n]+)_(?!\w)/g)].map((m) => m[1]!);

  it('name panels and rows in italics, each one on the dashboard', () => {
    expect(italics.length).toBeGreaterThan(3);
    expect(italics.filter((title) => !titles.has(title))).toEqual([]);
  });
});
