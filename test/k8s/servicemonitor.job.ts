/**
 * The `job` label Prometheus gives the series scraped through a rendered ServiceMonitor, worked
 * out as the Prometheus Operator does: the selected Service's name, then the endpoint's
 * relabelings (which run after it).
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { ofKind, selects, type K8sObject } from './manifests.js';

interface Relabeling {
  sourceLabels?: string[];
  targetLabel?: string;
  action?: string;
  regex?: string;
  replacement?: string;
}
interface ServiceMonitor {
  spec: {
    jobLabel?: string;
    selector: { matchLabels: Record<string, string> };
    endpoints: { relabelings?: Relabeling[] }[];
  };
}

/** The `job` label of the series scraped through the render's ServiceMonitor. */
export function scrapedJob(objs: K8sObject[]): string {
  const [monitor] = ofKind<ServiceMonitor>(objs, 'ServiceMonitor');
  // The operator's own relabeling: the Service's name (jobLabel would name a Service label).
  expect(monitor!.spec.jobLabel).toBeUndefined();
  const services = ofKind<Service>(objs, 'Service').filter((s) =>
    selects(monitor!.spec.selector, s.metadata.labels),
  );
  expect(services).toHaveLength(1);
  let job = services[0]!.metadata.name!;
  // Only a constant replacement is expected here.
  for (const r of monitor!.spec.endpoints.flatMap((e) => e.relabelings ?? [])) {
    if (r.targetLabel !== 'job') continue;
    expect({ action: r.action ?? 'replace', sourceLabels: r.sourceLabels ?? [] }).toEqual({
      action: 'replace',
      sourceLabels: [],
    });
    job = r.replacement!;
  }
  return job;
}
