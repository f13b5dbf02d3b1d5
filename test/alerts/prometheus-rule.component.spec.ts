/**
 * The kustomize component carries the same rules as the Helm chart: its PrometheusRule is
 * generated from the canonical rules file (kustomize cannot read outside its directory), and
 * `kubectl kustomize` renders it with exactly the canonical groups.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { hasKubectl } from '../k8s/manifests.js';
import { ROOT } from '../support/child-process.js';
import {
  COMPONENT_RULE_PATH,
  componentRuleText,
  readRules,
  type RuleGroup,
} from './alert-rules.js';

interface RenderedRule {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { groups: RuleGroup[] };
}

const withKubectl = hasKubectl() ? it : it.skip;

describe('k8s/components/prometheus-rules', () => {
  it('prometheus-rule.yaml is generated from the current charts/rampart/files/prometheus-rules.yaml', () => {
    if (process.env.UPDATE_ALERT_RULES === '1')
      writeFileSync(COMPONENT_RULE_PATH, componentRuleText());
    expect(readFileSync(COMPONENT_RULE_PATH, 'utf8')).toEqual(componentRuleText());
  });

  withKubectl(
    'kubectl kustomize renders one PrometheusRule whose groups equal the canonical file',
    () => {
      // A throwaway kustomization that only pulls in the component (components need a parent;
      // kustomize takes relative paths only).
      const dir = mkdtempSync(join(tmpdir(), 'rampart-rules-'));
      try {
        writeFileSync(
          join(dir, 'kustomization.yaml'),
          'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' +
            `components:\n  - ${relative(dir, join(ROOT, 'k8s/components/prometheus-rules'))}\n`,
        );
        const rendered = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
        const objects = parseAllDocuments(rendered).map((doc) => doc.toJS() as RenderedRule);
        expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
          'monitoring.coreos.com/v1 PrometheusRule rampart',
        ]);
        expect(objects[0]?.spec.groups).toEqual(readRules());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
