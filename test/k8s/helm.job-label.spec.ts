/**
 * The chart's alerts, recording rules and dashboard select `job=~".*rampart.*"`, and the job
 * label Prometheus gives the scraped series is what the ServiceMonitor makes it: the admin
 * Service's name, unless a relabeling sets `job`. With a fullnameOverride that does not say
 * rampart, the Service is `<fullname>-admin` and every rule and panel silently saw no data; the
 * chart then names the job `<fullname>-rampart-admin`. Checked as Prometheus would: the job each
 * render scrapes under, against every job matcher in the rendered rules and dashboard.
 */
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { ofKind, parseObjects, type K8sObject } from './manifests.js';
import { templateChart } from './helm.render.js';
import { scrapedJob } from './servicemonitor.job.js';

const MONITORING = [
  '--set',
  'serviceMonitor.enabled=true,prometheusRule.enabled=true,grafanaDashboard.enabled=true',
];

/** Every `job=~"…"` matcher of the rendered rules and dashboard. */
function jobMatchers(objs: K8sObject[]): string[] {
  const [rule] = ofKind<{ spec: unknown }>(objs, 'PrometheusRule');
  const dashboard = ofKind<ConfigMap>(objs, 'ConfigMap').find((c) => c.data?.['rampart.json']);
  const text = JSON.stringify(rule!.spec) + dashboard!.data!['rampart.json']!;
  return [...text.matchAll(/job\s*=~\s*\\*"((?:[^"\\]|\\[^"])*)\\*"/g)].map((m) => m[1]!);
}

/** PromQL's `=~` is anchored at both ends. */
const matches = (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(value);

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
