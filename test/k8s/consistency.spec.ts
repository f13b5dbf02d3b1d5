/**
 * The manifests agree with each other and with the app: ports, config keys, shutdown budget,
 * autoscaling and disruption selectors, network policy, image pins, security context, and the
 * database connection budget each overlay documents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { Container, ContainerPort, PodSpec, Service } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import {
  envNames,
  literalEnv,
  objects,
  ofKind,
  parseImage,
  rampartContainers,
  rampartWorkloads,
  ROOT,
  selectedWorkloads,
  selects,
  template,
  workloads,
  type K8sObject,
  type TargetName,
  type Workload,
} from './manifests.js';

/** Read by Node itself, not by the app's config schema. */
const RUNTIME_ENV = new Set(['NODE_OPTIONS']);
const APP_UID = 10001;
const RENDERS: TargetName[] = ['base', 'dev', 'prod', 'hpa-inflight'];

function containerPort(
  c: Container,
  target: number | string | undefined,
): ContainerPort | undefined {
  return (c.ports ?? []).find((p) =>
    typeof target === 'string' ? p.name === target : p.containerPort === target,
  );
}

function podSpec(w: Workload): PodSpec {
  const spec = template(w).spec;
  if (!spec) throw new Error(`${w.metadata.name} has no pod spec`);
  return spec;
}

function allContainers(w: Workload): Container[] {
  return [...(podSpec(w).initContainers ?? []), ...podSpec(w).containers];
}

function ms(env: Record<string, string>, key: string): number {
  const raw = env[key];
  if (raw === undefined) throw new Error(`${key} is not set in the manifests`);
  return Number(raw);
}

describe.each(RENDERS)('%s manifests', (name) => {
  const objs: K8sObject[] = objects(name);
  const apps = rampartWorkloads(objs);

  it('has at least one rampart Deployment', () => {
    expect(apps.length).toBeGreaterThan(0);
    for (const w of apps) expect(w.kind).toBe('Deployment');
  });

  it('routes every Service targetPort to a declared container port of the pods it selects', () => {
    for (const svc of ofKind<Service>(objs, 'Service')) {
      const pods = selectedWorkloads(objs, { matchLabels: svc.spec?.selector ?? {} });
      expect({ service: svc.metadata.name, selects: pods.length > 0 }).toEqual({
        service: svc.metadata.name,
        selects: true,
      });
      for (const w of pods) {
        for (const port of svc.spec?.ports ?? []) {
          const target = port.targetPort ?? port.port;
          const found = podSpec(w).containers.some((c) => containerPort(c, target) !== undefined);
          expect({ service: svc.metadata.name, port: port.name, target, found }).toMatchObject({
            found: true,
          });
        }
      }
    }
  });

  it('exposes the public port 8080 as `http` and the admin port 9090 as `admin` on separate Services', () => {
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      expect(containerPort(c, 'http')?.containerPort).toBe(8080);
      expect(containerPort(c, 'admin')?.containerPort).toBe(9090);
      const env = literalEnv(objs, c);
      expect(Number(env.PORT)).toBe(8080);
      expect(Number(env.ADMIN_PORT)).toBe(9090);
      const services = ofKind<Service>(objs, 'Service').filter((s) =>
        selectedWorkloads(objs, { matchLabels: s.spec?.selector ?? {} }).includes(w),
      );
      const byPort = (p: string) =>
        services.filter((s) => s.spec?.ports?.some((sp) => sp.targetPort === p));
      expect(byPort('http')).toHaveLength(1);
      expect(byPort('admin')).toHaveLength(1);
      expect(byPort('http')[0]).not.toBe(byPort('admin')[0]);
    }
  });

  it("sets only environment variables the app's config schema reads", async () => {
    const { configKeys } = (await import('../../src/config/config.schema.js')) as {
      configKeys: () => string[];
    };
    const known = new Set([...configKeys(), ...RUNTIME_ENV]);
    for (const w of apps) {
      for (const c of rampartContainers(w)) {
        const unknown = envNames(objs, c).filter((n) => !known.has(n));
        expect({ workload: w.metadata.name, unknown }).toEqual({
          workload: w.metadata.name,
          unknown: [],
        });
      }
    }
  });

  it("sets values the app's config schema accepts", async () => {
    const mod = (await import('../../src/config/config.schema.js')) as {
      configSchema?: { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } };
    };
    if (!mod.configSchema) return; // configKeys() is the contract; value parsing is a bonus
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      const env = { ...literalEnv(objs, c), POD_NAME: 'p', POD_NAMESPACE: 'n', NODE_NAME: 'x' };
      const parsed = mod.configSchema.safeParse(env);
      expect({ workload: w.metadata.name, issues: parsed.error?.issues ?? [] }).toEqual({
        workload: w.metadata.name,
        issues: [],
      });
    }
  });

  it('feeds the downward-API pod identity into OTEL_RESOURCE_ATTRIBUTES, defined before use', () => {
    for (const w of apps) {
      const env = rampartContainers(w)[0]!.env ?? [];
      const index = (n: string) => env.findIndex((e) => e.name === n);
      expect(env.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe(
        'metadata.name',
      );
      expect(env.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe(
        'metadata.namespace',
      );
      expect(env.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe(
        'spec.nodeName',
      );
      const attrs = env[index('OTEL_RESOURCE_ATTRIBUTES')];
      for (const ref of attrs?.value?.matchAll(/\$\((\w+)\)/g) ?? []) {
        expect({
          ref: ref[1],
          definedBefore: index(ref[1]!) >= 0 && index(ref[1]!) < index('OTEL_RESOURCE_ATTRIBUTES'),
        }).toEqual({ ref: ref[1], definedBefore: true });
      }
      expect(attrs?.value).toContain('k8s.pod.name=$(POD_NAME)');
    }
  });

  it('reads DATABASE_URL from a Secret reference, never a literal', () => {
    for (const w of apps) {
      for (const c of rampartContainers(w)) {
        const db = (c.env ?? []).find((e) => e.name === 'DATABASE_URL');
        expect(db?.value).toBeUndefined();
        expect(db?.valueFrom?.secretKeyRef?.key).toBe('DATABASE_URL');
        expect(Object.keys(literalEnv(objs, c))).not.toContain('DATABASE_URL');
      }
    }
  });

  it('gives the stop sequence a grace period longer than preStop + SHUTDOWN_TIMEOUT_MS + margin', () => {
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      const env = literalEnv(objs, c);
      const preStop = c.lifecycle?.preStop;
      expect(preStop?.exec).toBeUndefined(); // the image has no shell
      const preStopS = preStop?.sleep?.seconds ?? 0;
      expect(preStopS).toBeGreaterThan(0);
      const grace = podSpec(w).terminationGracePeriodSeconds ?? 30;
      const marginS = 5;
      expect(grace).toBeGreaterThan(preStopS + ms(env, 'SHUTDOWN_TIMEOUT_MS') / 1000 + marginS);
      // The app's deadline must leave room for its drain delay plus one full request.
      expect(ms(env, 'SHUTDOWN_DRAIN_DELAY_MS') + ms(env, 'REQUEST_TIMEOUT_MS')).toBeLessThan(
        ms(env, 'SHUTDOWN_TIMEOUT_MS'),
      );
      // Keep-alive must outlive a 60 s proxy idle timeout (nodejs/node#20256).
      expect(ms(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS')).toBeGreaterThan(60_000);
    }
  });

  it('probes /startupz, /healthz and /readyz on the public port', () => {
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      expect(c.startupProbe?.httpGet).toMatchObject({ path: '/startupz', port: 'http' });
      expect(c.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
      // Start-up budget (period x failures) must exceed liveness' restart window; liveness
      // must be slower to act than readiness.
      const budget = (p: typeof c.startupProbe) =>
        (p?.periodSeconds ?? 10) * (p?.failureThreshold ?? 3);
      expect(budget(c.startupProbe)).toBeGreaterThanOrEqual(budget(c.livenessProbe));
      expect(budget(c.livenessProbe)).toBeGreaterThan(budget(c.readinessProbe));
    }
  });

  it('sizes --max-old-space-size to 50-80% of the memory limit', () => {
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      const nodeOptions = (c.env ?? []).find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
      const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1]);
      const limit = String(c.resources?.limits?.memory ?? '');
      const limitMiB = Number(
        /^(\d+)Mi$/.exec(limit)?.[1] ?? Number(/^(\d+)Gi$/.exec(limit)?.[1]) * 1024,
      );
      expect(heapMiB / limitMiB).toBeGreaterThanOrEqual(0.5);
      expect(heapMiB / limitMiB).toBeLessThanOrEqual(0.8);
      expect(c.resources?.requests?.cpu).toBeDefined();
    }
  });

  it('scales every rampart Deployment with an autoscaling/v2 HPA that has behavior', () => {
    const hpas = ofKind<HorizontalPodAutoscaler>(objs, 'HorizontalPodAutoscaler');
    for (const w of apps) {
      const hpa = hpas.find(
        (h) =>
          h.spec?.scaleTargetRef.kind === 'Deployment' &&
          h.spec.scaleTargetRef.name === w.metadata.name,
      );
      expect(hpa).toBeDefined();
      expect(hpa!.apiVersion).toBe('autoscaling/v2');
      expect(hpa!.spec?.behavior?.scaleUp).toBeDefined();
      expect(hpa!.spec?.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThan(0);
      expect(hpa!.spec?.metrics?.some((m) => m.resource?.name === 'cpu')).toBe(true);
      expect((w.spec as { replicas?: number }).replicas).toBeUndefined(); // the HPA owns it
    }
    for (const hpa of hpas) {
      expect(
        workloads(objs).some(
          (w) =>
            w.kind === hpa.spec?.scaleTargetRef.kind &&
            w.metadata.name === hpa.spec.scaleTargetRef.name,
        ),
      ).toBe(true);
    }
  });

  it("covers each rampart Deployment's pods with exactly one PDB that selects nothing else", () => {
    const pdbs = ofKind<PodDisruptionBudget>(objs, 'PodDisruptionBudget');
    for (const w of apps) {
      const mine = pdbs.filter((p) => selects(p.spec?.selector, template(w).metadata?.labels));
      expect(mine).toHaveLength(1);
      expect(selectedWorkloads(objs, mine[0]!.spec!.selector!)).toEqual([w]);
    }
    for (const p of pdbs)
      expect(selectedWorkloads(objs, p.spec!.selector!).length).toBeGreaterThan(0);
  });

  it('admits the public port from the ingress path and the admin port only from monitoring', () => {
    const policies = ofKind<NetworkPolicy>(objs, 'NetworkPolicy');
    for (const w of apps) {
      const mine = policies.filter((p) =>
        selects(p.spec?.podSelector, template(w).metadata?.labels),
      );
      expect(mine.length).toBeGreaterThan(0);
      const rules = mine.flatMap((p) => p.spec?.ingress ?? []);
      const c = rampartContainers(w)[0]!;
      for (const portName of ['http', 'admin']) {
        const number = containerPort(c, portName)?.containerPort;
        const covering = rules.filter((r) =>
          r.ports?.some((p) => p.port === portName || p.port === number),
        );
        expect({ port: portName, covered: covering.length > 0 }).toEqual({
          port: portName,
          covered: true,
        });
        if (portName === 'admin') {
          for (const rule of covering) {
            expect(rule.from?.length).toBeGreaterThan(0);
            for (const peer of rule.from ?? []) {
              expect(peer.ipBlock).toBeUndefined();
              expect(peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']).toBe(
                'monitoring',
              );
            }
          }
        }
      }
      // No rule may open every port to everyone.
      expect(rules.every((r) => (r.ports?.length ?? 0) > 0)).toBe(true);
    }
  });

  it('pins every image to a version or digest, never `latest`', () => {
    for (const w of workloads(objs)) {
      for (const c of allContainers(w)) {
        const ref = parseImage(c.image ?? '');
        expect({
          image: c.image,
          pinned: Boolean(ref.digest) || (ref.tag !== undefined && ref.tag !== 'latest'),
        }).toEqual({ image: c.image, pinned: true });
      }
    }
  });

  it('reports the image tag as SERVICE_VERSION', () => {
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      expect(literalEnv(objs, c).SERVICE_VERSION).toBe(parseImage(c.image!).tag);
    }
  });

  it('runs rampart hardened: uid 10001, read-only root, no escalation, no capabilities, RuntimeDefault seccomp, /tmp the only writable path', () => {
    for (const w of apps) {
      const pod = podSpec(w);
      expect(pod.automountServiceAccountToken).toBe(false);
      const sa = objs.find(
        (o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName,
      );
      expect(sa?.automountServiceAccountToken).toBe(false);
      for (const c of rampartContainers(w)) {
        const sc = c.securityContext ?? {};
        expect(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
        expect(sc.runAsUser ?? pod.securityContext?.runAsUser).toBe(APP_UID);
        expect(sc.readOnlyRootFilesystem).toBe(true);
        expect(sc.allowPrivilegeEscalation).toBe(false);
        expect(sc.privileged ?? false).toBe(false);
        expect(sc.capabilities?.drop).toContain('ALL');
        expect(sc.capabilities?.add ?? []).toEqual([]);
        expect((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type).toBe(
          'RuntimeDefault',
        );
        expect(c.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp']);
        const tmp = pod.volumes?.find((v) => v.name === c.volumeMounts![0]!.name);
        expect(tmp?.emptyDir?.sizeLimit).toBeDefined();
        expect(c.imagePullPolicy).not.toBe('Always');
      }
    }
  });

  it('meets the restricted Pod Security profile with every container (dependencies included)', () => {
    for (const w of workloads(objs)) {
      const pod = podSpec(w);
      for (const c of allContainers(w)) {
        const sc = c.securityContext ?? {};
        const where = `${w.metadata.name}/${c.name}`;
        expect({ where, nonRoot: sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot }).toEqual({
          where,
          nonRoot: true,
        });
        expect({ where, escalation: sc.allowPrivilegeEscalation }).toEqual({
          where,
          escalation: false,
        });
        expect({ where, drop: sc.capabilities?.drop }).toEqual({ where, drop: ['ALL'] });
        expect({
          where,
          seccomp: (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type,
        }).toEqual({ where, seccomp: 'RuntimeDefault' });
      }
    }
  });

  it('keeps (HPA max + rollout surge) x DB_POOL_MAX within the documented connection budget', () => {
    const hpas = ofKind<HorizontalPodAutoscaler>(objs, 'HorizontalPodAutoscaler');
    let total = 0;
    let budget = Infinity;
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      const hpa = hpas.find((h) => h.spec?.scaleTargetRef.name === w.metadata.name)!;
      const max = hpa.spec!.maxReplicas;
      const surgeSpec =
        (w.spec as { strategy?: { rollingUpdate?: { maxSurge?: number | string } } }).strategy
          ?.rollingUpdate?.maxSurge ?? '25%';
      const surge =
        typeof surgeSpec === 'number'
          ? surgeSpec
          : Math.ceil((max * Number.parseInt(surgeSpec, 10)) / 100);
      total += (max + surge) * ms(literalEnv(objs, c), 'DB_POOL_MAX');
      const annotated = w.metadata.annotations?.['rampart.dev/db-connection-budget'];
      if (annotated) budget = Math.min(budget, Number(annotated));
    }
    if (name === 'dev' || name === 'prod') expect(budget).toBeLessThan(Infinity);
    expect(total).toBeLessThanOrEqual(budget);
  });

  if (name === 'dev') {
    it('chains the frontend to the backend Service by BACKEND_URLS', () => {
      const frontend = apps.find((w) => w.metadata.name === 'rampart-frontend')!;
      const backendUrls = literalEnv(objs, rampartContainers(frontend)[0]!).BACKEND_URLS ?? '';
      const url = new URL(backendUrls);
      const svc = ofKind<Service>(objs, 'Service').find((s) => s.metadata.name === url.hostname);
      expect(svc?.spec?.ports?.some((p) => p.port === Number(url.port))).toBe(true);
      const targets = selectedWorkloads(objs, { matchLabels: svc!.spec!.selector! });
      expect(targets.map((w) => w.metadata.name)).toEqual(['rampart-backend']);
    });

    it('points OTLP at the Jaeger Service and sends Jaeger 2 pinned', () => {
      for (const w of apps) {
        const endpoint = new URL(
          literalEnv(objs, rampartContainers(w)[0]!).OTEL_EXPORTER_OTLP_ENDPOINT!,
        );
        const jaeger = ofKind<Service>(objs, 'Service').find(
          (s) => s.metadata.name === endpoint.hostname,
        );
        expect(jaeger?.spec?.ports?.map((p) => p.port)).toEqual(
          expect.arrayContaining([4317, 4318, 16686]),
        );
        expect(Number(endpoint.port)).toBe(4318);
      }
      const image =
        workloads(objs)
          .flatMap(allContainers)
          .find((c) => c.name === 'jaeger')?.image ?? '';
      expect(image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    });
  }
});

describe('Dockerfile agrees with the manifests', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const deployment = rampartWorkloads(objects('base'))[0]!;
  const container = rampartContainers(deployment)[0]!;

  it('runs as the numeric user the pod spec requires', () => {
    expect(/^USER (\d+)/m.exec(dockerfile)?.[1]).toBe(String(APP_UID));
    expect(podSpec(deployment).securityContext?.runAsUser).toBe(APP_UID);
  });

  it('EXPOSEs exactly the container ports', () => {
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(/\s+/).map(Number).sort();
    expect(exposed).toEqual((container.ports ?? []).map((p) => p.containerPort).sort());
  });

  it('starts with an exec-form ENTRYPOINT that preloads the telemetry bootstrap', () => {
    const entrypoint = JSON.parse(
      /^ENTRYPOINT (\[.+\])$/m.exec(dockerfile)?.[1] ?? 'null',
    ) as string[];
    expect(entrypoint).toEqual([
      'node',
      '--enable-source-maps',
      '--import',
      './dist/telemetry/telemetry.bootstrap.js',
      'dist/main.js',
    ]);
    expect(container.command).toBeUndefined();
  });
});
