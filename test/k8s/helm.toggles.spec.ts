/**
 * Each chart toggle renders what its kustomize counterpart renders (the in-flight HPA metric,
 * the ServiceMonitor), the dashboard and the PrometheusRule carry their files scoped to the
 * release, and with every value changed (ci/all-toggles-values.yaml) the derived numbers follow
 * and the wiring still holds: ports, Secrets, Ingress backend, NetworkPolicy for the `helm test`
 * pod.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { Ingress, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { parse } from 'yaml';
import {
  configMapEnv,
  envNames,
  objects,
  ofKind,
  parseImage,
  parseObjects,
  rampartContainers,
  selects,
  template,
  workloads,
  type K8sObject,
} from './manifests.js';
import type { Dashboard, Variable } from '../alerts/grafana-dashboard.js';
import { containerPort, podSpec, RUNTIME_ENV } from './consistency.helpers.js';
import { CHART_DIR, chartObjects, isHook, templateChart } from './helm.render.js';

/** The values of ci/all-toggles-values.yaml these tests compare against. */
interface AllTogglesValues {
  image: { repository: string; tag: string; digest: string };
  ports: Record<'http' | 'admin' | 'probes', number>;
  database: { url: string };
  adminToken: { token: string };
}

const one = <T>(objs: K8sObject[], kind: string): T & K8sObject => {
  const found = ofKind<T>(objs, kind);
  expect({ kind, count: found.length }).toEqual({ kind, count: 1 });
  return found[0]!;
};

describe('each toggle renders what its kustomize counterpart renders', () => {
  it('autoscaling.inflightRequests: the HPA of k8s/components/hpa-inflight-requests', async () => {
    const chart = parseObjects(
      await templateChart(['--set', 'autoscaling.inflightRequests.enabled=true']),
    );
    const mine = one<HorizontalPodAutoscaler>(chart, 'HorizontalPodAutoscaler');
    const theirs = one<HorizontalPodAutoscaler>(objects('hpa-inflight'), 'HorizontalPodAutoscaler');
    expect(mine.spec).toEqual(theirs.spec);
    expect(mine.spec?.metrics?.map((m) => m.pods?.metric.name ?? m.resource?.name)).toEqual([
      'cpu',
      'rampart_http_requests_in_flight',
    ]);
  });

  it('serviceMonitor: the ServiceMonitor of k8s/components/servicemonitor, selecting the admin Service alone', async () => {
    const chart = parseObjects(await templateChart(['--set', 'serviceMonitor.enabled=true']));
    const mine = one<{ spec: { selector: { matchLabels: Record<string, string> } } }>(
      chart,
      'ServiceMonitor',
    );
    const theirs = one<{ spec: object }>(objects('prod'), 'ServiceMonitor');
    expect({ ...mine.spec, selector: undefined }).toEqual({ ...theirs.spec, selector: undefined });
    expect(mine.metadata.labels).toMatchObject(theirs.metadata.labels ?? {});
    const selected = ofKind<Service>(chart, 'Service').filter((s) =>
      selects(mine.spec.selector, s.metadata.labels),
    );
    expect(selected.map((s) => s.spec?.ports?.map((p) => p.name))).toEqual([['admin']]);
  });

  it('everything off by default: no custom resource, Ingress or dashboard without asking', async () => {
    const kinds = (await chartObjects('default')).map((o) => o.kind);
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'Ingress', 'Secret'])
      expect(kinds).not.toContain(kind);
    expect(ofKind<ConfigMap>(await chartObjects('default'), 'ConfigMap')).toHaveLength(1);
  });
});

it('writes config numbers as integers and derives from them (YAML numbers reach Helm as floats)', async () => {
  const objs = parseObjects(
    await templateChart([
      '--set-json',
      'config.SHUTDOWN_TIMEOUT_MS=600000',
      '--set-json',
      'config.REQUEST_TIMEOUT_MS=500000',
      // Within the app's bounds and past 1e6, where Helm's float would print as 1e+06.
      '--set-json',
      'config.IDEMPOTENCY_KEY_TTL_MS=1000000',
    ]),
  );
  const c = rampartContainers(workloads(objs)[0]!)[0]!;
  expect(configMapEnv(objs, c)).toMatchObject({
    SHUTDOWN_TIMEOUT_MS: '600000',
    REQUEST_TIMEOUT_MS: '500000',
    IDEMPOTENCY_KEY_TTL_MS: '1000000',
  });
  // 5 s preStop + 600 s + 10 s margin.
  expect(podSpec(workloads(objs)[0]!).terminationGracePeriodSeconds).toBe(615);
});

describe('with every toggle on and the values changed (ci/all-toggles-values.yaml)', () => {
  let objs: K8sObject[];
  let values: AllTogglesValues;
  beforeAll(async () => {
    objs = (await chartObjects('all-toggles')).filter((o) => !isHook(o));
    values = parse(
      readFileSync(join(CHART_DIR, 'ci', 'all-toggles-values.yaml'), 'utf8'),
    ) as AllTogglesValues;
  });
  const deployment = () => workloads(objs)[0]!;
  const container = () => rampartContainers(deployment())[0]!;

  it("prometheusRule: the spec is files/prometheus-rules.yaml, each job matcher and runbook placeholder the release's own", () => {
    const rule = one<{ spec: unknown }>(objs, 'PrometheusRule');
    const text = readFileSync(join(CHART_DIR, 'files', 'prometheus-rules.yaml'), 'utf8');
    // Release rampart in namespace rampart: its admin Service, so its job, is rampart-admin; its
    // Redis prefix the chart's default (helm.runbook-release.spec.ts covers other names).
    const scoped = text
      .replaceAll('job=~".*rampart.*"', 'job="rampart-admin", namespace="rampart"')
      .replaceAll(
        "the pod's REDIS_KEY_PREFIX: rampart: unless set, <namespace>:<release>: from the Helm chart",
        "this release's REDIS_KEY_PREFIX, rampart:rampart:",
      )
      .replaceAll('; docs/alerts.md says what <release> is', '')
      .replaceAll('<release>', 'rampart');
    expect(scoped).not.toEqual(text);
    expect(rule.spec).toEqual(parse(scoped));
    expect((rule.spec as { groups: unknown[] }).groups.length).toBeGreaterThan(0);
  });

  it("grafanaDashboard: files/grafana-dashboard.json in a ConfigMap the Grafana sidecar picks up, the release's own", () => {
    const dashboards = ofKind<ConfigMap>(objs, 'ConfigMap').filter(
      (c) => c.metadata.labels?.grafana_dashboard === '1',
    );
    expect(dashboards).toHaveLength(1);
    const file = readFileSync(join(CHART_DIR, 'files', 'grafana-dashboard.json'), 'utf8');
    const expected = JSON.parse(file) as Dashboard;
    // Release rampart in namespace rampart: sha256 of `rampart/rampart`, its first 16 hex digits.
    // Pinned: another uid for the same release would make Grafana replace its dashboard on
    // upgrade and break every link to it.
    expected.uid = 'rampart-fde5b1bef316b2a4';
    expected.title = 'rampart: rampart/rampart';
    const opensOn = { namespace: 'rampart', job: 'rampart-admin' };
    // The variables list this release's namespace and job, not every job=~".*rampart.*".
    const lists = {
      namespace: 'job="rampart-admin", namespace="rampart"',
      job: 'job="rampart-admin"',
    };
    for (const v of expected.templating.list as Array<Variable & { definition?: string }>) {
      const value = opensOn[v.name as keyof typeof opensOn];
      if (value) Object.assign(v, { current: { selected: true, text: value, value } });
      const scope = lists[v.name as keyof typeof lists];
      if (scope && typeof v.query !== 'string') {
        v.query.query = v.query.query.replace('job=~".*rampart.*"', scope);
        v.definition = v.definition!.replace('job=~".*rampart.*"', scope);
      }
    }
    expect(JSON.parse(Object.values(dashboards[0]!.data ?? {})[0]!)).toEqual(expected);
  });

  it('ingress: routes to the public Service port only, which reaches the `http` container port', () => {
    const ingress = one<Ingress>(objs, 'Ingress');
    const backends = (ingress.spec?.rules ?? []).flatMap((r) =>
      (r.http?.paths ?? []).map((p) => p.backend.service),
    );
    expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) {
      const svc = ofKind<Service>(objs, 'Service').find((s) => s.metadata.name === backend?.name);
      const port = svc?.spec?.ports?.find((p) => p.name === backend?.port?.name);
      expect(port?.targetPort).toBe('http');
    }
    expect(ingress.spec?.tls?.[0]?.secretName).toBe('rampart-tls');
  });

  it('derives the heap, grace period and minReadySeconds from the changed values', () => {
    const c = container();
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    // 75% of the 1Gi limit; 10 s preStop + 25 s SHUTDOWN_TIMEOUT_MS + 15 s margin; readiness period.
    expect(env.NODE_OPTIONS).toBe('--max-old-space-size=768 --max-semi-space-size=16');
    expect(podSpec(deployment()).terminationGracePeriodSeconds).toBe(50);
    expect(c.lifecycle?.preStop?.sleep?.seconds).toBe(10);
    expect((deployment().spec as { minReadySeconds?: number }).minReadySeconds).toBe(10);
    expect(c.livenessProbe).toMatchObject({ periodSeconds: 15, timeoutSeconds: 3 });
  });

  it('keeps ports, config and Services in step: PORT, ADMIN_PORT and PROBE_PORT follow `ports`', () => {
    const c = container();
    const env = configMapEnv(objs, c);
    for (const [name, variable] of [
      ['http', 'PORT'],
      ['admin', 'ADMIN_PORT'],
      ['probes', 'PROBE_PORT'],
    ] as const) {
      expect(containerPort(c, name)?.containerPort).toBe(values.ports[name]);
      expect(Number(env[variable])).toBe(values.ports[name]);
    }
    const services = ofKind<Service>(objs, 'Service');
    expect(services.flatMap((s) => s.spec?.ports?.map((p) => [p.port, p.targetPort]))).toEqual(
      expect.arrayContaining([
        [80, 'http'],
        [9100, 'admin'],
      ]),
    );
  });

  it('service.port: the public Service listens on it, the `helm test` pod calls it, the pods keep ports.http', async () => {
    const svc = ofKind<Service>(objs, 'Service').find((s) =>
      s.spec?.ports?.some((p) => p.targetPort === 'http'),
    );
    expect(svc?.spec?.ports).toEqual([expect.objectContaining({ port: 80, targetPort: 'http' })]);
    const hooks = (await chartObjects('all-toggles')).filter(isHook) as Array<K8sObject & Pod>;
    const env = hooks.flatMap((h) => h.spec?.containers.flatMap((c) => c.env ?? []) ?? []);
    expect(env.find((e) => e.name === 'RAMPART_URL')?.value).toMatch(/\.svc:80$/);
    expect(containerPort(container(), 'http')?.containerPort).toBe(values.ports.http);
  });

  it('reports the image tag as SERVICE_VERSION and pins the digest', () => {
    const ref = parseImage(container().image!);
    expect(ref).toEqual({
      name: values.image.repository,
      tag: values.image.tag,
      digest: values.image.digest,
    });
    expect(configMapEnv(objs, container()).SERVICE_VERSION).toBe(values.image.tag);
  });

  it('creates the Secrets it was given the credentials for, under the names the pods read', () => {
    for (const [variable, value] of [
      ['DATABASE_URL', values.database.url],
      ['ADMIN_TOKEN', values.adminToken.token],
    ]) {
      const ref = container().env?.find((e) => e.name === variable)?.valueFrom?.secretKeyRef;
      const secret = ofKind<Secret>(objs, 'Secret').find((s) => s.metadata.name === ref?.name);
      expect(Buffer.from(secret?.data?.[ref!.key] ?? '', 'base64').toString()).toBe(value);
    }
  });

  it("sets only variables the app's config schema reads", async () => {
    const { configKeys } = (await import('../../src/config/config.schema.js')) as {
      configKeys: () => string[];
    };
    const known = new Set([...configKeys(), ...RUNTIME_ENV]);
    for (const render of [objs, (await chartObjects('default')).filter((o) => !isHook(o))]) {
      const c = rampartContainers(workloads(render)[0]!)[0]!;
      expect(envNames(render, c).filter((n) => !known.has(n))).toEqual([]);
    }
  });

  it('admits the `helm test` pod to the public port when the namespace as a whole is not', async () => {
    const testPod = (await chartObjects('all-toggles')).find(isHook)!;
    const policy = one<NetworkPolicy>(objs, 'NetworkPolicy');
    const admitting = (policy.spec?.ingress ?? []).filter(
      (r) =>
        r.ports?.some((p) => p.port === 'http') &&
        r.from?.some(
          (peer) => !peer.namespaceSelector && selects(peer.podSelector, testPod.metadata.labels),
        ),
    );
    expect(admitting).toHaveLength(1);
    // …and nothing else of the namespace.
    expect(policy.spec?.ingress?.flatMap((r) => r.from ?? [])).not.toContainEqual({
      podSelector: {},
    });
    expect(selects(policy.spec?.podSelector, template(deployment()).metadata?.labels)).toBe(true);
  });
});
