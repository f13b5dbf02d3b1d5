/**
 * The kustomize component carries the same rules as the Helm chart: its PrometheusRule is
 * generated from the canonical rules file (kustomize cannot read outside its directory), and
 * `kubectl kustomize` renders it with exactly the canonical groups, each selector narrowed to the
 * namespace the overlay renders it into. Checked as Prometheus would run it: every selector reads
 * that namespace's rampart and none of another namespace's (the same job name, `rampart-admin`,
 * as every kustomize install scrapes under), and under `promtool test rules` (the real binary)
 * a rampart failing in another namespace fires none of this namespace's alerts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { hasKubectl } from '../k8s/manifests.js';
import type { PrometheusRule } from '../k8s/prometheusrule.types.js';
import { checkRules, testRules } from '../k8s/promtool.rendered.js';
import { selectsTarget } from '../k8s/series.match.js';
import { ROOT } from '../support/child-process.js';
import { COMPONENT_RULE_PATH, componentRuleText, inNamespace, readRules } from './alert-rules.js';
import { selectors } from './promql.names.js';

const withKubectl = hasKubectl() ? it : it.skip;

/** The job the servicemonitor component's scrapes carry: the admin Service's name (k8s/base). */
const JOB = 'rampart-admin';

interface Render {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `kubectl kustomize` of a throwaway kustomization that only pulls in the component (components
 * need a parent; kustomize takes relative paths only), with `namespace:` when given.
 */
function renderComponent(namespace?: string): Render {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-rules-'));
  try {
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' +
        (namespace ? `namespace: ${namespace}\n` : '') +
        `components:\n  - ${relative(dir, join(ROOT, 'k8s/components/prometheus-rules'))}\n`,
    );
    const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function renderedRules(namespace: string): PrometheusRule[] {
  const run = renderComponent(namespace);
  expect(run.status === 0 ? '' : run.stderr).toBe('');
  return parseAllDocuments(run.stdout).map((doc) => doc.toJS() as PrometheusRule);
}

/** `<rule>: <metric>` of each selector that reads a series with these labels. */
function selecting(rule: PrometheusRule, series: Record<string, string>): string[] {
  return rule.spec.groups.flatMap((g) =>
    g.rules.flatMap((r) =>
      selectors(String(r.expr))
        .filter((s) => selectsTarget(s.matchers, series))
        .map((s) => `${r.alert ?? r.record}: ${s.name}`),
    ),
  );
}

/**
 * promtool unit tests over 80 minutes: every request fails (60 a minute, all 500) and the event
 * loop lags 0.5 s on pod p-0 of rampart in each failing namespace; alerts are expected from
 * `alerting` only (past the hour RampartAvailabilityBudgetBurnFast's long window needs).
 */
function failingIn(failing: string[], alerting: string[]): unknown {
  const labels = (namespace: string) => `job="${JOB}",namespace="${namespace}",pod="p-0"`;
  return {
    interval: '1m',
    input_series: failing.flatMap((namespace) => [
      {
        series: `http_server_request_duration_seconds_count{${labels(namespace)},http_route="/api/items",http_request_method="GET",http_response_status_code="500"}`,
        values: '0+60x80',
      },
      { series: `nodejs_eventloop_lag_p99_seconds{${labels(namespace)}}`, values: '0.5x80' },
    ]),
    alert_rule_test: [
      {
        eval_time: '70m',
        alertname: 'RampartAvailabilityBudgetBurnFast',
        exp_alerts: alerting.map((namespace) => ({
          exp_labels: { severity: 'critical', slo: 'availability', job: JOB, namespace },
        })),
      },
      {
        eval_time: '70m',
        alertname: 'RampartEventLoopLag',
        exp_alerts: alerting.map((namespace) => ({
          exp_labels: { severity: 'warning', job: JOB, namespace, pod: 'p-0' },
        })),
      },
    ],
  };
}

describe('k8s/components/prometheus-rules', () => {
  it('prometheus-rule.yaml is generated from the current charts/rampart/files/prometheus-rules.yaml', () => {
    if (process.env.UPDATE_ALERT_RULES === '1')
      writeFileSync(COMPONENT_RULE_PATH, componentRuleText());
    expect(readFileSync(COMPONENT_RULE_PATH, 'utf8')).toEqual(componentRuleText());
  });

  withKubectl(
    "kubectl kustomize renders one PrometheusRule in the overlay's namespace whose groups are the canonical file's, each selector narrowed to that namespace",
    () => {
      const objects = renderedRules('rampart');
      expect(
        objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
      ).toEqual(['monitoring.coreos.com/v1 PrometheusRule rampart/rampart']);
      expect(objects[0]?.spec.groups).toEqual(
        readRules().map((g) => ({
          ...g,
          rules: g.rules.map((r) => ({ ...r, expr: inNamespace(r.expr, 'rampart') })),
        })),
      );
    },
  );

  withKubectl(
    'kubectl kustomize refuses to render the component into no namespace, naming the variable',
    () => {
      const run = renderComponent();
      expect({ status: run.status, stderr: run.stderr }).toEqual({
        status: 1,
        stderr: expect.stringContaining('RAMPART_RULES_NAMESPACE'),
      });
    },
  );

  withKubectl(
    "every selector reads its namespace's rampart, and none reads another namespace's",
    () => {
      const [rule] = renderedRules('rampart');
      const all = selecting(rule!, {});
      expect(all.length).toBeGreaterThan(50);
      expect({
        own: selecting(rule!, { job: JOB, namespace: 'rampart' }),
        other: selecting(rule!, { job: JOB, namespace: 'elsewhere' }),
      }).toEqual({ own: all, other: [] });
    },
  );

  withKubectl('promtool check rules accepts the rendered rules', () => {
    const [rule] = renderedRules('rampart');
    expect(checkRules(rule!)).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  withKubectl(
    "a rampart failing in another namespace fires none of this namespace's alerts (promtool test rules)",
    () => {
      const run = testRules(renderedRules('rampart'), [
        failingIn(['rampart', 'elsewhere'], ['rampart']),
        failingIn(['elsewhere'], []),
      ]);
      expect(run).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    },
  );

  withKubectl(
    "two namespaces' renders loaded side by side fire each alert once per failing namespace (promtool test rules)",
    () => {
      const run = testRules(
        [...renderedRules('rampart'), ...renderedRules('rampart-staging')],
        [failingIn(['rampart', 'rampart-staging'], ['rampart', 'rampart-staging'])],
      );
      expect(run).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    },
  );
});
