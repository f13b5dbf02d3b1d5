/**
 * The chart's alerts, recording rules and dashboard select `job=~".*rampart.*"`, and the job
 * label Prometheus gives the scraped series is what the ServiceMonitor makes it: the admin
 * Service's name, unless a relabeling sets `job`. With a fullnameOverride that does not say
 * rampart, the Service is `<fullname>-admin` and every rule and panel silently saw no data; the
 * chart then names the job `<fullname>-rampart-admin`. Checked as Prometheus would: the job each
 * render scrapes under, against every job matcher in the rendered rules and dashboard.
 */
import type { ConfigMap, Service } from 'kubernetes-types/core/v1.js';
import { ofKind, parseObjects, selects, type K8sObject } from './manifests.js';
import { templateChart } from './helm.render.js';

interface Relabeling {
  sourceLabels?: string[];
  targetLabel?: string;
  action?: string;
  regex?: string;
  replacement?: string;
}
interface ServiceMonitor {
  spec: {
    jobLabel?: string;
    selector: { matchLabels: Record<string, string> };
    endpoints: { relabelings?: Relabeling[] }[];
  };
}

const MONITORING = [
  '--set',
  'serviceMonitor.enabled=true,prometheusRule.enabled=true,grafanaDashboard.enabled=true',
];

/** The `job` label of the series scraped through the render's ServiceMonitor. */
function scrapedJob(objs: K8sObject[]): string {
  const [monitor] = ofKind<ServiceMonitor>(objs, 'ServiceMonitor');
  // The operator's own relabeling: the Service's name (jobLabel would name a Service label).
  expect(monitor!.spec.jobLabel).toBeUndefined();
  const services = ofKind<Service>(objs, 'Service').filter((s) =>
    selects(monitor!.spec.selector, s.metadata.labels),
  );
  expect(services).toHaveLength(1);
  let job = services[0]!.metadata.name!;
  // The endpoint's relabelings run after it; only a constant replacement is expected here.
  for (const r of monitor!.spec.endpoints.flatMap((e) => e.relabelings ?? [])) {
    if (r.targetLabel !== 'job') continue;
    expect({ action: r.action ?? 'replace', sourceLabels: r.sourceLabels ?? [] }).toEqual({
      action: 'replace',
      sourceLabels: [],
    });
    job = r.replacement!;
  }
  return job;
}

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
