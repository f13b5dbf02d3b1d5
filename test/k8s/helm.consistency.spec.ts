/**
 * The chart's default render and the kustomize base (`kubectl kustomize k8s/base`) are the same
 * deployment: every object of one has its twin in the other, equal field by field once the
 * differences by design are set aside — Helm's labels (instance, chart, version), the selectors
 * built from them (checked here to select the same pods), the ConfigMap's name (kustomize
 * hashes it; the chart rolls the pods through a checksum annotation instead), and its
 * REDIS_KEY_PREFIX (the chart's is per release: helm.redis-prefix.spec.ts).
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import {
  objects,
  ofKind,
  parseObjects,
  selects,
  template,
  workloads,
  type K8sObject,
} from './manifests.js';
import { chartObjects, isHook, templateChart } from './helm.render.js';

type Json = Record<string, unknown>;

/** A copy without what differs by design; the rest must match. */
function essential(obj: K8sObject): Json {
  const copy = structuredClone(obj) as Json & { metadata: Json; spec?: Json };
  delete copy.metadata.labels;
  delete copy.metadata.annotations;
  if (copy.kind === 'ConfigMap') {
    copy.metadata.name = '<config>';
    delete (copy.data as Json | undefined)?.REDIS_KEY_PREFIX;
  }
  const spec = copy.spec;
  if (!spec) return copy;
  delete spec.selector;
  delete spec.podSelector;
  const pod = spec.template as { metadata?: Json; spec: Json } | undefined;
  if (pod) {
    delete pod.metadata;
    for (const constraint of (pod.spec.topologySpreadConstraints ?? []) as Json[])
      delete constraint.labelSelector;
    for (const c of pod.spec.containers as { envFrom?: { configMapRef?: Json }[] }[])
      for (const source of c.envFrom ?? [])
        if (source.configMapRef) source.configMapRef.name = '<config>';
  }
  return copy;
}

const key = (o: K8sObject) => `${o.kind}/${o.kind === 'ConfigMap' ? '<config>' : o.metadata.name}`;

describe('the chart with default values agrees with k8s/base', () => {
  const base = objects('base');
  let chart: K8sObject[];

  beforeAll(async () => {
    chart = (await chartObjects('default')).filter((o) => !isHook(o));
  });

  it('renders the same objects, by kind and name', () => {
    expect(chart.map(key).sort()).toEqual(base.map(key).sort());
  });

  it.each(objects('base').map(key))(
    // Deployment: image, ports, probes, resources, security contexts, grace period, env, volumes,
    // rollout; ConfigMap: every key; HPA, PDB, NetworkPolicy, Services: their whole spec.
    '%s agrees field by field',
    (id) => {
      const twin = chart.find((o) => key(o) === id);
      expect(twin).toBeDefined();
      expect(essential(twin!)).toEqual(essential(base.find((o) => key(o) === id)!));
    },
  );

  it('selects the same pods with every selector: the Deployment, Services, PDB, NetworkPolicy, spread constraints', async () => {
    const [deployment] = workloads(chart);
    const podLabels = template(deployment!).metadata?.labels;
    expect(selects(deployment!.spec?.selector, podLabels)).toBe(true);
    for (const o of chart) {
      const spec = o.spec as Json | undefined;
      const selector =
        o.kind === 'Service'
          ? { matchLabels: (spec?.selector ?? {}) as Record<string, string> }
          : ((spec?.podSelector ?? spec?.selector) as Parameters<typeof selects>[0]);
      if (!selector) continue;
      expect({ object: key(o), selectsPods: selects(selector, podLabels) }).toEqual({
        object: key(o),
        selectsPods: true,
      });
    }
    for (const c of template(deployment!).spec?.topologySpreadConstraints ?? [])
      expect(selects(c.labelSelector, podLabels)).toBe(true);
    // The `helm test` pod is never one of the app's pods (no Service sends it traffic).
    const testPod = (await chartObjects('default')).find(isHook)!;
    expect(selects(deployment!.spec?.selector, testPod.metadata.labels)).toBe(false);
  });

  it('labels the admin Service `component: admin` alone, as the ServiceMonitor selects it', () => {
    const byComponent = (list: K8sObject[]) =>
      Object.fromEntries(
        ofKind<Service>(list, 'Service').map((s) => [
          s.metadata.name,
          s.metadata.labels?.['app.kubernetes.io/component'],
        ]),
      );
    expect(byComponent(chart)['rampart-admin']).toBe('admin');
    expect(byComponent(chart).rampart).not.toBe('admin');
    expect(byComponent(base)['rampart-admin']).toBe('admin');
  });

  it('rolls the pods when the configuration changes (checksum annotation, as kustomize hashes the name)', async () => {
    const checksum = (objs: K8sObject[]) =>
      template(workloads(objs)[0]!).metadata?.annotations?.['checksum/config'];
    const before = checksum(chart);
    const after = checksum(parseObjects(await templateChart(['--set', 'config.LOG_LEVEL=debug'])));
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(after).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });
});
