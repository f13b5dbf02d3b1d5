/**
 * The manifests agree with the app: ports, config keys, pod identity, secrets, shutdown budget,
 * probes and heap size.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Service } from 'kubernetes-types/core/v1.js';
import {
  envNames,
  literalEnv,
  objects,
  ofKind,
  rampartContainers,
  rampartWorkloads,
  ROOT,
  selectedWorkloads,
  type K8sObject,
} from './manifests.js';
import { containerPort, ms, podSpec, RENDERS, RUNTIME_ENV } from './consistency.helpers.js';

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

  it('reads ADMIN_TOKEN from a required Secret, never a literal; a generated Secret holds a usable token', () => {
    for (const w of apps) {
      for (const c of rampartContainers(w)) {
        const admin = (c.env ?? []).find((e) => e.name === 'ADMIN_TOKEN');
        expect(admin?.value).toBeUndefined();
        const ref = admin?.valueFrom?.secretKeyRef;
        expect(ref).toMatchObject({ key: 'ADMIN_TOKEN', optional: false });
        expect(Object.keys(literalEnv(objs, c))).not.toContain('ADMIN_TOKEN');
        // Overlays that generate the Secret (dev): it exists and passes the config's length rule.
        const secret = objs.find((o) => o.kind === 'Secret' && o.metadata.name === ref?.name) as
          (K8sObject & { data?: Record<string, string> }) | undefined;
        if (secret) {
          const token = Buffer.from(secret.data?.ADMIN_TOKEN ?? '', 'base64').toString();
          expect(token.length).toBeGreaterThanOrEqual(16);
        }
      }
    }
  });

  it('gives the stop sequence a grace period longer than preStop + SHUTDOWN_TIMEOUT_MS + margin', () => {
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      const env = literalEnv(objs, c);
      const preStop = c.lifecycle?.preStop;
      expect(preStop?.exec).toBeUndefined(); // the kubelet's own sleep: nothing runs in the container
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

  it('probes /startupz, /healthz and /readyz on the probe port PROBE_PORT, never the public port', () => {
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      // The public port refuses excess load; a probe there would fail with it (README "Overload").
      expect(containerPort(c, 'probes')?.containerPort).toBe(
        Number(literalEnv(objs, c).PROBE_PORT),
      );
      expect(c.startupProbe?.httpGet).toMatchObject({ path: '/startupz', port: 'probes' });
      expect(c.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'probes' });
      expect(c.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'probes' });
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

  it('caps the young generation, and the concurrency-10k bench measures these very V8 flags', () => {
    const bench = readFileSync(join(ROOT, 'bench/scenarios/concurrency-10k.js'), 'utf8');
    const benched = /const DEPLOYED_NODE_OPTIONS = '([^']*)'/.exec(bench)?.[1];
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      const nodeOptions = (c.env ?? []).find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
      expect(nodeOptions).toMatch(/--max-semi-space-size=\d+/);
      expect(nodeOptions).toBe(benched);
    }
  });
});

describe('V8 flags', () => {
  it('gives rampart the same V8 flags in npm start, the image and the benchmarks', () => {
    // Flags Node refuses in NODE_OPTIONS (--no-allocation-site-pretenuring) live on command lines
    // in four files; the benchmarks must measure what npm start and the image run.
    const v8Flags = (args: string[]): string[] =>
      args.filter((a) => a.startsWith('--') && a !== '--import');
    const quoted = (text: string | undefined): string[] =>
      [...(text ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]!);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const start = v8Flags(pkg.scripts.start!.split(/\s+/));
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const entrypoint = v8Flags(JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!));
    const settings = readFileSync(join(ROOT, 'bench/lib/settings.js'), 'utf8');
    const benched = quoted(/START_FLAGS = \[([^\]]*)\]/.exec(settings)?.[1]);
    const concurrency = readFileSync(join(ROOT, 'bench/scenarios/concurrency-10k.js'), 'utf8');
    const deployedArgs = quoted(/DEPLOYED_NODE_ARGS = \[([^\]]*)\]/.exec(concurrency)?.[1]);
    expect(start).toContain('--no-allocation-site-pretenuring');
    expect(benched).toEqual(start);
    expect(entrypoint).toEqual(['--no-allocation-site-pretenuring']);
    expect(entrypoint.every((flag) => start.includes(flag))).toBe(true);
    expect(deployedArgs).toEqual(entrypoint);
  });
});
