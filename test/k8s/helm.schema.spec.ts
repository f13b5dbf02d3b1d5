/**
 * `helm template` renders, with default values and with every toggle on, validate exactly like
 * the kustomize renders (schema.spec.ts): kubernetes-models' validators, then kubernetes-types
 * constants through tsc (unknown fields and removed API versions are errors). Each toggle adds
 * the objects it promises and nothing else.
 */
import { join, relative } from 'node:path';
import {
  CHECK_DIR,
  generateTypedConstants,
  modelFor,
  servedKinds,
  typecheck,
  type Diagnostic,
} from './schema.check.js';
import { ROOT, type K8sObject } from './manifests.js';
import { CHART_RENDER_NAMES, chartObjects, isHook, type ChartRenderName } from './helm.render.js';

// The chart renders a PrometheusRule; give the strict check its type unless it already has one.
const PROMETHEUS_RULE = 'monitoring.coreos.com/v1/PrometheusRule';
if (!servedKinds().has(PROMETHEUS_RULE)) {
  servedKinds().set(PROMETHEUS_RULE, {
    module: relative(CHECK_DIR, join(ROOT, 'test/k8s/prometheusrule.types.js')),
    name: 'PrometheusRule',
  });
}

const KINDS: Record<ChartRenderName, string[]> = {
  default: [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'NetworkPolicy',
    'Pod',
    'PodDisruptionBudget',
    'Service',
    'ServiceAccount',
  ],
  'all-toggles': [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'Ingress',
    'NetworkPolicy',
    'Pod',
    'PodDisruptionBudget',
    'PrometheusRule',
    'Secret',
    'Service',
    'ServiceAccount',
    'ServiceMonitor',
  ],
};

describe.each(CHART_RENDER_NAMES)('helm template (%s values)', (name) => {
  it('renders the expected kinds, the only Pod being the `helm test` hook', async () => {
    const objs = await chartObjects(name);
    expect([...new Set(objs.map((o) => o.kind))].sort()).toEqual(KINDS[name]);
    expect(objs.filter((o) => o.kind === 'Pod').every(isHook)).toBe(true);
    expect(objs.filter(isHook).map((o) => o.kind)).toEqual(['Pod']);
  });

  it('passes the kubernetes-models validators (types, required fields, enums)', async () => {
    const failures: string[] = [];
    for (const obj of await chartObjects(name)) {
      const Model = await modelFor(obj);
      if (!Model) {
        expect(obj.apiVersion).toMatch(/\.coreos\.com\//);
        continue;
      }
      try {
        new Model(obj).validate();
      } catch (error) {
        failures.push(`${obj.kind}/${obj.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('chart renders as kubernetes-types constants (one tsc run)', () => {
  let diagnostics: Diagnostic[];
  const problems: string[] = [];

  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const name of CHART_RENDER_NAMES) {
      const generated = generateTypedConstants(`chart-${name}`, await chartObjects(name));
      files[`chart-${name}`] = generated.source;
      problems.push(...generated.problems);
    }
    // A negative control in the same run: a typo in a rule must be caught, or the type is too loose.
    const rule = (await chartObjects('all-toggles')).find((o) => o.kind === 'PrometheusRule')!;
    const bad = structuredClone(rule) as K8sObject & { spec: { groups: { rules: object[] }[] } };
    bad.metadata.name = 'typo';
    bad.spec.groups[0]!.rules[0] = { ...bad.spec.groups[0]!.rules[0], expresion: 'up' };
    files['chart-negative'] = generateTypedConstants('chart-negative', [bad]).source;
    diagnostics = await typecheck(files);
  }, 120_000);

  it('has no unknown field and no removed or pre-release API version', () => {
    expect(problems).toEqual([]);
    const real = diagnostics.filter((d) => !d.file.startsWith('chart-negative'));
    expect(real.map((d) => `${d.file}:${d.line} ${d.constant}: ${d.message}`)).toEqual([]);
  });

  it('catches a typo in a PrometheusRule (the strict type can fail)', () => {
    expect(diagnostics.some((d) => d.constant?.endsWith('_PrometheusRule_typo'))).toBe(true);
  });
});
