/**
 * REDIS_KEY_PREFIX in the chart: unset, each release gets `<namespace>:<release>:`, so two
 * releases on one Redis never share keys or channels; set, it is passed as given, and the chart
 * takes exactly the values the app takes (a value the app refuses would crash-loop every pod).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { REDIS_KEY_PREFIX_PATTERN } from '../../src/config/redis-key-prefix.field.js';
import { helm } from '../support/helm.js';
import { CHART_DIR, NAMESPACE, RELEASE } from './helm.render.js';
import { objects, ofKind, parseObjects } from './manifests.js';

/** The ConfigMap's REDIS_KEY_PREFIX for a release, or Helm's refusal. */
async function render(
  release: string,
  namespace: string,
  config: Record<string, unknown> = {},
): Promise<{ prefix?: string; refused?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-prefix-'));
  try {
    const values = join(dir, 'values.json'); // JSON is YAML: no quoting rules for `:` or `*`
    writeFileSync(values, JSON.stringify({ config }));
    const run = await helm(['template', release, CHART_DIR, '-n', namespace, '-f', values]);
    if (run.status !== 0) return { refused: run.stderr };
    const [configMap] = ofKind<ConfigMap>(parseObjects(run.stdout), 'ConfigMap');
    return { prefix: configMap?.data?.REDIS_KEY_PREFIX };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function appTakes(value: string): boolean {
  try {
    return loadConfig({ REDIS_KEY_PREFIX: value }).REDIS_KEY_PREFIX === value;
  } catch {
    return false;
  }
}

describe('REDIS_KEY_PREFIX in the Helm chart', () => {
  it('unset: <namespace>:<release>:, different for releases side by side and across namespaces', async () => {
    const prefixes = await Promise.all([
      render(RELEASE, NAMESPACE),
      render('rampart-canary', NAMESPACE),
      render(RELEASE, 'staging'),
    ]);
    expect(prefixes).toEqual([
      { prefix: 'rampart:rampart:' },
      { prefix: 'rampart:rampart-canary:' },
      { prefix: 'staging:rampart:' },
    ]);
  });

  it('the longest names Kubernetes and Helm allow derive a prefix the app takes', async () => {
    const release = `r${'e'.repeat(51)}1`; // Helm: 53 characters
    const namespace = `n${'s'.repeat(61)}1`; // a DNS label: 63
    const { prefix } = await render(release, namespace);
    expect(prefix).toBe(`${namespace}:${release}:`);
    expect(appTakes(prefix!)).toBe(true);
  });

  it("set: passed as given; 'rampart:' keeps the names of earlier chart versions", async () => {
    expect(await render(RELEASE, NAMESPACE, { REDIS_KEY_PREFIX: 'rampart:' })).toEqual({
      prefix: 'rampart:',
    });
  });

  it('values.schema.json holds the pattern src/config/ holds', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    expect(schema.properties.config.properties.REDIS_KEY_PREFIX.pattern).toBe(
      REDIS_KEY_PREFIX_PATTERN.source,
    );
  });

  it.each([
    ['staging:', 'staging:'],
    ['tenant-a.eu_1:', 'tenant-a.eu_1:'],
    [':', ':'],
    ['staging', 'staging'],
    ['empty', ''],
    ['stag ing:', 'stag ing:'],
    ['staging*:', 'staging*:'],
    ['prod/rampart:', 'prod/rampart:'],
    ['é:', 'é:'],
    ['128 characters', `${'a'.repeat(127)}:`],
    ['129 characters', `${'a'.repeat(128)}:`],
  ])('%s: the chart refuses it exactly when the app does', async (_label, value) => {
    const chart = await render(RELEASE, NAMESPACE, { REDIS_KEY_PREFIX: value });
    expect({ value, chartTakes: chart.prefix === value }).toEqual({
      value,
      chartTakes: appTakes(value),
    });
    if (chart.refused) expect(chart.refused).toContain('/config/REDIS_KEY_PREFIX');
  });

  it('the kustomize base keeps the app default: its overlays set their own where they must', () => {
    const [configMap] = ofKind<ConfigMap>(objects('base'), 'ConfigMap');
    expect(configMap?.data?.REDIS_KEY_PREFIX).toBe('rampart:');
  });
});
