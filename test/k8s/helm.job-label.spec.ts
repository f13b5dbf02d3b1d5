/**
 * The chart's alerts and recording rules, and its dashboard's namespace and job variables, select
 * the release's job; the job label Prometheus gives the scraped series is what the
 * ServiceMonitor makes it: the admin Service's name, unless a relabeling sets `job`. With a
 * fullnameOverride that does not say rampart, the Service is `<fullname>-admin`, and the plain
 * rules file and the dashboard file (`job=~".*rampart.*"`) silently saw no data; the chart then
 * names the job `<fullname>-rampart-admin`. Checked as Prometheus would: the job each render
 * scrapes under, against every job matcher in the rendered rules and dashboard
 * (helm.rule-scope.spec.ts and helm.dashboard-scope.spec.ts check that they read no other
 * release).
 */
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { dashboardQueries, type Dashboard } from '../alerts/grafana-dashboard.js';
import { selectors, type Matcher } from '../alerts/promql.names.js';
import { ofKind, parseObjects, type K8sObject } from './manifests.js';
import { templateChart } from './helm.render.js';
import type { PrometheusRule } from './prometheusrule.types.js';
import { scrapedJob } from './servicemonitor.job.js';

const MONITORING = [
  '--set',
  'serviceMonitor.enabled=true,prometheusRule.enabled=true,grafanaDashboard.enabled=true',
];

/** Every job matcher of the rendered rules and dashboard but those naming `$job`. */
function jobMatchers(objs: K8sObject[]): Matcher[] {
  const [rule] = ofKind<PrometheusRule>(objs, 'PrometheusRule');
  const inRules = rule!.spec.groups.flatMap((g) =>
    g.rules.flatMap((r) => selectors(String(r.expr)).flatMap((s) => s.matchers)),
  );
  // The dashboard's panels and pod variable select job="$job", the variable these fill.
  const dashboard = ofKind<ConfigMap>(objs, 'ConfigMap').find((c) => c.data?.['rampart.json']);
  const inDashboard = dashboardQueries(JSON.parse(dashboard!.data!['rampart.json']!) as Dashboard)
    .flatMap((q) => selectors(q.expr).flatMap((s) => s.matchers))
    .filter((m) => !m.value.includes('$'));
  expect(inDashboard.filter((m) => m.label === 'job')).toHaveLength(2);
  return [...inRules, ...inDashboard].filter((m) => m.label === 'job');
}

/** PromQL's `=~` is anchored at both ends. */
const matches = (m: Matcher, value: string) =>
  m.op === '=' ? m.value === value : new RegExp(`^(?:${m.value})$`).test(value);

describe('the job label the rules and dashboard select', () => {
  it.each([
    ['fullnameOverride=payments-api', ['--set', 'fullnameOverride=payments-api']],
    ['a release named like the chart (rampart)', []],
    ['fullnameOverride=rampart-eu', ['--set', 'fullnameOverride=rampart-eu']],
  ])('%s: every matcher matches the scraped job', async (_label, args) => {
    const objs = parseObjects(await templateChart([...MONITORING, ...args]));
    const job = scrapedJob(objs);
    const matchers = jobMatchers(objs);
    expect(matchers.length).toBeGreaterThan(20);
    expect(matchers.filter((m) => !matches(m, job))).toEqual([]);
  });

  it('keeps the job unique per release: payments-api scrapes as payments-api-rampart-admin', async () => {
    const objs = parseObjects(
      await templateChart([...MONITORING, '--set', 'fullnameOverride=payments-api']),
    );
    expect(scrapedJob(objs)).toBe('payments-api-rampart-admin');
  });

  it('leaves the job as the admin Service name when the name already says rampart', async () => {
    const objs = parseObjects(await templateChart(MONITORING));
    expect(scrapedJob(objs)).toBe('rampart-admin');
  });
});
