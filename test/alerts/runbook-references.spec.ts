/**
 * What an alert's annotations send the operator to exists: each metric is one rampart exports and
 * the dashboard draws, each variable one the app reads, each code one the problem catalog has,
 * each panel one the dashboard has, each kubectl command one that reaches the release that fired
 * (its namespace, its objects by label: kubectl-commands.ts). RampartEventLoopLag's runbook named
 * GC pauses (nodejs_gc_duration_seconds), which no panel drew: a pointer at nothing, read
 * mid-incident; `kubectl rollout undo deploy/rampart` undid nothing where the release had another
 * name or the shell another namespace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import client from 'prom-client';
import { configSchema } from '../../src/config/config.schema.js';
import { PROBLEM_CATALOG } from '../../src/errors/problem.catalog.js';
import { documents } from '../docs/doc-blocks.js';
import { RUNTIME_ENV } from '../k8s/consistency.helpers.js';
import { objects, parseObjects } from '../k8s/manifests.js';
import { ROOT } from '../support/child-process.js';
import { helm } from '../support/helm.js';
import { alertRules } from './alert-rules.js';
import { readDashboard } from './grafana-dashboard.js';
import {
  commandsIn,
  labelSelection,
  namespaceOf,
  pageCommands,
  picked,
  problemsOf,
} from './kubectl-commands.js';
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

describe('kubectl commands reach the release that fired, whatever its name and namespace', () => {
  const commands = alertRules().flatMap((r) =>
    commandsIn(Object.values(r.annotations ?? {}).join('\n')).map((c) => [r.alert, c] as const),
  );
  const selections = commands.flatMap(([, command]) => labelSelection(command) ?? []);

  it('the runbooks give commands, some selecting by label (the checks below can fail)', () => {
    expect(commands.length).toBeGreaterThan(3);
    expect(selections.length).toBeGreaterThan(1);
  });

  it.each(commands)('%s: %s', (_alert, command) => {
    expect(problemsOf(command)).toEqual([]);
    // The alert carries its namespace (promtool-rules.spec.ts checks the label is there).
    expect(namespaceOf(command)).toMatch(/^(\{\{ \$labels\.namespace \}\}|<[^>]+>)$/);
  });

  it('docs/alerts.md gives each of them, with <namespace> and <pod> for the alert’s labels', () => {
    const page = new Set(pageCommands('docs/alerts.md'));
    const asOnPage = commands.map(([, c]) => c.replace(/\{\{ \$labels\.(\w+) \}\}/g, '<$1>'));
    expect(asOnPage.filter((c) => !page.has(c))).toEqual([]);
  });

  it.each(documents())('%s: no command fixed to one install', (file) => {
    const wrong = pageCommands(file)
      .map((command) => ({ command, problems: problemsOf(command) }))
      .filter((c) => c.problems.length > 0);
    expect(wrong).toEqual([]);
  });

  it.each([
    ['payments', 'shop', 'payments-rampart'],
    ['rampart-canary', 'rampart', 'rampart-canary'],
  ])(
    'each selector picks the one object of a chart release %s in namespace %s (%s)',
    async (release, namespace, fullname) => {
      const run = await helm(['template', release, 'charts/rampart', '--namespace', namespace]);
      expect(run.status).toBe(0);
      const objs = parseObjects(run.stdout);
      for (const selection of selections)
        expect(picked(objs, selection, release)).toEqual({ ...selection, names: [fullname] });
    },
  );

  it('each selector picks the one object of k8s/overlays/prod (release: rampart)', () => {
    for (const selection of selections)
      expect(picked(objects('prod'), selection, 'rampart')).toEqual({
        ...selection,
        names: ['rampart'],
      });
  });
});
