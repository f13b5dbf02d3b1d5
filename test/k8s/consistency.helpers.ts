/** Shared by the consistency specs: what the manifests' workloads look like to the app. */
import type { Container, ContainerPort, PodSpec } from 'kubernetes-types/core/v1.js';
import { template, type TargetName, type Workload } from './manifests.js';

/** Read by Node itself, not by the app's config schema. */
export const RUNTIME_ENV = new Set(['NODE_OPTIONS']);
export const APP_UID = 10001;
export const RENDERS: TargetName[] = ['base', 'dev', 'prod', 'hpa-inflight'];

export function containerPort(
  c: Container,
  target: number | string | undefined,
): ContainerPort | undefined {
  return (c.ports ?? []).find((p) =>
    typeof target === 'string' ? p.name === target : p.containerPort === target,
  );
}

export function podSpec(w: Workload): PodSpec {
  const spec = template(w).spec;
  if (!spec) throw new Error(`${w.metadata.name} has no pod spec`);
  return spec;
}

export function allContainers(w: Workload): Container[] {
  return [...(podSpec(w).initContainers ?? []), ...podSpec(w).containers];
}

export function ms(env: Record<string, string>, key: string): number {
  const raw = env[key];
  if (raw === undefined) throw new Error(`${key} is not set in the manifests`);
  return Number(raw);
}
