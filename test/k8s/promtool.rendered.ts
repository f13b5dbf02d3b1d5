/**
 * promtool, the real binary, on rules as a render holds them: `check rules` on one PrometheusRule's
 * spec, and `test rules` on several loaded side by side, as one Prometheus loads every
 * PrometheusRule it selects (one rule file each).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { PrometheusRule } from './prometheusrule.types.js';

export interface PromtoolRun {
  status: number | null;
  output: string;
}

function inTempDir(run: (dir: string) => PromtoolRun): PromtoolRun {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-rendered-rules-'));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function promtool(args: string[]): PromtoolRun {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** `promtool check rules` on the rule file a PrometheusRule's spec is. */
export function checkRules(rule: PrometheusRule): PromtoolRun {
  return inTempDir((dir) => {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, stringify(rule.spec));
    return promtool(['check', 'rules', file]);
  });
}

/**
 * `promtool test rules` with each PrometheusRule as a rule file of its own. Annotations are
 * dropped: promtool would compare every runbook verbatim (test/alerts/promtool-rules.spec.ts
 * checks them instead).
 */
export function testRules(rules: PrometheusRule[], tests: unknown[]): PromtoolRun {
  return inTempDir((dir) => {
    const ruleFiles = rules.map((rule, i) => {
      const file = join(dir, `rules-${i}.yaml`);
      const groups = rule.spec.groups.map((g) => ({
        ...g,
        rules: g.rules.map(({ annotations: _annotations, ...r }) => r),
      }));
      writeFileSync(file, stringify({ groups }));
      return file;
    });
    const testFile = join(dir, 'test.yaml');
    writeFileSync(testFile, stringify({ rule_files: ruleFiles, evaluation_interval: '1m', tests }));
    return promtool(['test', 'rules', testFile]);
  });
}
