/**
 * Autoscaling, disruption and network policy select the right pods, and the database connection
 * budget each overlay documents holds.
 */

import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import {
  literalEnv,
  objects,
  ofKind,
  rampartContainers,
  rampartWorkloads,
  selectedWorkloads,
  selects,
  template,
  workloads,
  type K8sObject,
} from './manifests.js';
import { allContainers, containerPort, ms, RENDERS } from './consistency.helpers.js';

describe.each(RENDERS)('%s manifests', (name) => {
  const objs: K8sObject[] = objects(name);
  const apps = rampartWorkloads(objs);

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

  it('admits no one to the probe port: only the kubelet calls it, from the node, always allowed', () => {
    const policies = ofKind<NetworkPolicy>(objs, 'NetworkPolicy');
    const services = ofKind<Service>(objs, 'Service');
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      const number = containerPort(c, 'probes')?.containerPort;
      expect(number).toBeDefined();
      const rules = policies
        .filter((p) => selects(p.spec?.podSelector, template(w).metadata?.labels))
        .flatMap((p) => p.spec?.ingress ?? []);
      const admitting = rules.filter((r) =>
        r.ports?.some((p) => p.port === 'probes' || p.port === number),
      );
      expect(admitting).toEqual([]);
      const targeting = services.flatMap((svc) =>
        (svc.spec?.ports ?? []).filter((p) => p.targetPort === 'probes' || p.targetPort === number),
      );
      expect(targeting).toEqual([]);
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
