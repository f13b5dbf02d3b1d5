/**
 * rampart's rule file and the copies and tests built from it: the canonical
 * charts/rampart/files/prometheus-rules.yaml, the PrometheusRule the kustomize component carries
 * (generated from it here), and the promtool unit tests in test/alerts/promtool/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../support/child-process.js';

export const RULES_PATH = join(ROOT, 'charts/rampart/files/prometheus-rules.yaml');
export const COMPONENT_RULE_PATH = join(
  ROOT,
  'k8s/components/prometheus-rules/prometheus-rule.yaml',
);
export const PROMTOOL_TESTS_DIR = join(ROOT, 'test/alerts/promtool');

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export function readRules(path = RULES_PATH): RuleGroup[] {
  return (parse(readFileSync(path, 'utf8')) as { groups: RuleGroup[] }).groups;
}

export function alertRules(groups = readRules()): Array<Rule & { alert: string }> {
  return groups.flatMap((g) => g.rules).filter((r): r is Rule & { alert: string } => !!r.alert);
}

/** The matcher every selector of the canonical file carries (the chart narrows this exact text). */
export const ANY_RAMPART_JOB = 'job=~".*rampart.*"';

/**
 * The kustomize variable the component's expressions name the namespace by; kustomize resolves
 * it to the namespace the PrometheusRule is rendered into (k8s/components/prometheus-rules).
 */
export const NAMESPACE_VAR = '$(RAMPART_RULES_NAMESPACE)';

/** `job=~".*rampart.*"` narrowed to one namespace: what every selector of the component reads. */
export function inNamespace(expr: string, namespace: string): string {
  return expr.replaceAll(ANY_RAMPART_JOB, `${ANY_RAMPART_JOB}, namespace="${namespace}"`);
}

/**
 * The component's PrometheusRule: the canonical file's `groups:` (comments kept) under `spec`,
 * each selector narrowed to the namespace kustomize renders it into (NAMESPACE_VAR).
 * Labels: the one most kube-prometheus-stack installs select rules by (as the ServiceMonitor).
 */
export function componentRuleText(rulesText = readFileSync(RULES_PATH, 'utf8')): string {
  const start = rulesText.search(/^groups:/m);
  if (start < 0) throw new Error('the rules file has no top-level `groups:`');
  const groups = inNamespace(rulesText.slice(start), NAMESPACE_VAR)
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
  return (
    '# Generated from charts/rampart/files/prometheus-rules.yaml: do not edit; regenerate with\n' +
    '#   UPDATE_ALERT_RULES=1 npm test -- test/alerts/prometheus-rule.component.spec.ts\n' +
    'apiVersion: monitoring.coreos.com/v1\n' +
    'kind: PrometheusRule\n' +
    'metadata:\n' +
    '  name: rampart\n' +
    '  labels:\n' +
    '    app.kubernetes.io/name: rampart\n' +
    '    # The label most kube-prometheus-stack installs select rules by; match yours.\n' +
    '    release: kube-prometheus-stack\n' +
    'spec:\n' +
    groups
  );
}

/** The promtool unit-test files, by absolute path. */
export function promtoolTestFiles(): string[] {
  return readdirSync(PROMTOOL_TESTS_DIR)
    .filter((name) => name.endsWith('.test.yaml'))
    .sort()
    .map((name) => join(PROMTOOL_TESTS_DIR, name));
}
