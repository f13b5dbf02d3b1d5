/**
 * The rules pass `promtool check rules`, and `promtool test rules` runs the unit tests in
 * test/alerts/promtool/ — synthetic series for which every alert must fire and must hold. promtool
 * is a real binary here, never replaced: without it these tests fail (.ci/run installs it).
 *
 * promtool compares annotations verbatim, so the unit tests would repeat every runbook; they
 * state alert labels instead, run against a copy of the rules without annotations, and the
 * annotations are checked below (present, and naming only labels the alert carries).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { hasPromtool } from '../support/promtool.js';
import { alertRules, promtoolTestFiles, readRules, RULES_PATH } from './alert-rules.js';

interface AlertTest {
  alertname: string;
  eval_time: string;
  exp_alerts?: Array<{ exp_labels?: Record<string, string> }>;
}
interface UnitTestFile {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: AlertTest[] }>;
}

const unitTests = promtoolTestFiles().map((path) => ({
  path,
  spec: parse(readFileSync(path, 'utf8')) as UnitTestFile,
}));
const alertTests = unitTests.flatMap(({ spec }) =>
  spec.tests.flatMap((t) => t.alert_rule_test ?? []),
);

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('alert rules under promtool', () => {
  it('promtool is installed (Debian package prometheus; .ci/run installs it)', () => {
    expect({ promtool: hasPromtool }).toEqual({ promtool: true });
  });

  it('promtool check rules accepts charts/rampart/files/prometheus-rules.yaml', () => {
    const run = promtool('check', 'rules', RULES_PATH);
    expect(run).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('promtool test rules passes every unit test file in test/alerts/promtool/', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-promtool-'));
    try {
      const groups = readRules().map((g) => ({
        ...g,
        rules: g.rules.map(({ annotations: _annotations, ...rule }) => rule),
      }));
      const rulesFile = join(dir, 'rules.yaml');
      writeFileSync(rulesFile, stringify({ groups }));
      const files = unitTests.map(({ path, spec }) => {
        expect(spec.rule_files).toEqual(['../../../charts/rampart/files/prometheus-rules.yaml']);
        const copy = join(dir, basename(path));
        writeFileSync(copy, stringify({ ...spec, rule_files: [rulesFile] }));
        return copy;
      });
      expect(files.length).toBeGreaterThan(0);
      const run = promtool('test', 'rules', ...files);
      expect({ status: run.status, output: run.output }).toEqual({
        status: 0,
        output: expect.not.stringContaining('FAILED'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(alertRules().map((rule) => [rule.alert, rule] as const))('%s', (name, rule) => {
    const tests = alertTests.filter((t) => t.alertname === name);

    it('has a unit test where it fires and one where it does not', () => {
      expect({
        fires: tests.some((t) => (t.exp_alerts ?? []).length > 0),
        holds: tests.some((t) => (t.exp_alerts ?? []).length === 0),
      }).toEqual({ fires: true, holds: true });
    });

    it('has a summary, a description, a runbook and a severity', () => {
      const { summary, description, runbook } = rule.annotations ?? {};
      expect([summary, description, runbook].every((text) => (text ?? '').length > 20)).toBe(true);
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
    });

    it('its annotations name only labels the alert carries (per its unit tests)', () => {
      const used = [...JSON.stringify(rule.annotations).matchAll(/\$labels\.([a-zA-Z_]+)/g)].map(
        (m) => m[1],
      );
      for (const expected of tests.flatMap((t) => t.exp_alerts ?? [])) {
        const carried = Object.keys(expected.exp_labels ?? {});
        expect(used.filter((label) => !carried.includes(label as string))).toEqual([]);
      }
    });
  });

  it('every alert a unit test names exists', () => {
    const names = new Set(alertRules().map((r) => r.alert));
    expect([...new Set(alertTests.map((t) => t.alertname))].filter((n) => !names.has(n))).toEqual(
      [],
    );
  });
});
