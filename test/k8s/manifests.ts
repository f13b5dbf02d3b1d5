/**
 * Rendered Kubernetes manifests for the k8s tests: `kubectl kustomize` when kubectl is on PATH,
 * otherwise the committed snapshots in k8s/rendered/ — which are trusted only while the
 * source digest in their header matches the current k8s/ sources, so a stale snapshot fails
 * loudly instead of testing yesterday's manifests. Refresh them after editing k8s/:
 *   UPDATE_K8S_SNAPSHOTS=1 npm test -- test/k8s/render.spec.ts
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Container, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { parseAllDocuments } from 'yaml';

import { ROOT } from '../support/child-process.js';

export { ROOT };
export const SNAPSHOT_DIR = join(ROOT, 'k8s', 'rendered');

/** Every kustomization the tests render, by snapshot name. */
export const TARGETS = {
  base: 'k8s/base',
  dev: 'k8s/overlays/dev',
  prod: 'k8s/overlays/prod',
  'hpa-inflight': 'test/k8s/fixtures/hpa-inflight',
} as const;
export type TargetName = keyof typeof TARGETS;
export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

/** The shape every rendered object shares; kinds are narrowed with `asKind`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** sha256 over the kustomize sources (k8s/ minus the snapshots, plus the test fixtures). */
export function sourceDigest(): string {
  const hash = createHash('sha256');
  const files = [...listFiles(join(ROOT, 'k8s')), ...listFiles(join(ROOT, 'test/k8s/fixtures'))]
    .filter((file) => !file.startsWith(SNAPSHOT_DIR))
    .map((file) => relative(ROOT, file))
    .sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(ROOT, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function snapshotPath(name: TargetName): string {
  return join(SNAPSHOT_DIR, `${name}.yaml`);
}

export function snapshotHeader(name: TargetName, digest: string): string {
  return (
    `# Rendered by \`kubectl kustomize ${TARGETS[name]}\`: do not edit; regenerate with\n` +
    `#   UPDATE_K8S_SNAPSHOTS=1 npm test -- test/k8s/render.spec.ts\n` +
    `# source-sha256: ${digest}\n`
  );
}

export function renderWithKubectl(name: TargetName): string {
  return execFileSync('kubectl', ['kustomize', join(ROOT, TARGETS[name])], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The snapshot's body, or an error saying why it cannot stand in for kubectl. */
export function readSnapshot(name: TargetName): { body: string; digest: string } {
  const path = snapshotPath(name);
  if (!existsSync(path)) throw new Error(`${relative(ROOT, path)} is missing`);
  const text = readFileSync(path, 'utf8');
  const digest = /^# source-sha256: ([0-9a-f]{64})$/m.exec(text)?.[1];
  if (!digest) throw new Error(`${relative(ROOT, path)} has no source-sha256 header`);
  return {
    body: text
      .split('\n')
      .filter((line) => !line.startsWith('# '))
      .join('\n'),
    digest,
  };
}

const cache = new Map<TargetName, string>();

/** Rendered YAML: kubectl if present, else a snapshot whose digest matches the sources. */
export function render(name: TargetName): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  let body: string;
  if (hasKubectl()) {
    body = renderWithKubectl(name);
  } else {
    const snapshot = readSnapshot(name);
    if (snapshot.digest !== sourceDigest()) {
      throw new Error(
        `kubectl is not installed and k8s/rendered/${name}.yaml is stale (sources changed since ` +
          'it was rendered): regenerate it where kubectl exists.',
      );
    }
    body = snapshot.body;
  }
  cache.set(name, body);
  return body;
}

export function parseObjects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS() as K8sObject | null;
    })
    .filter((obj): obj is K8sObject => obj !== null);
}

export function objects(name: TargetName): K8sObject[] {
  return parseObjects(render(name));
}

/** Narrow to a kubernetes-types interface by kind (the render has already been validated). */
export function ofKind<T>(objs: K8sObject[], kind: string): (T & K8sObject)[] {
  return objs.filter((o) => o.kind === kind) as (T & K8sObject)[];
}

export type Workload = (Deployment | StatefulSet) & K8sObject;

export function workloads(objs: K8sObject[]): Workload[] {
  return objs.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Workload[];
}

export function template(w: Workload): PodTemplateSpec {
  const t = w.spec?.template;
  if (!t) throw new Error(`${w.kind}/${w.metadata.name} has no pod template`);
  return t;
}

/** matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) against a label set. */
export function selects(
  selector: LabelSelector | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpr = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return byLabels && byExpr;
}

/** Workloads whose pods a Service-style selector (plain map) or LabelSelector picks. */
export function selectedWorkloads(objs: K8sObject[], selector: LabelSelector): Workload[] {
  return workloads(objs).filter((w) => selects(selector, template(w).metadata?.labels));
}

/** rampart's own containers (the image named `rampart`, whatever registry an overlay adds). */
export function rampartContainers(w: Workload): Container[] {
  return (template(w).spec?.containers ?? []).filter((c) =>
    /(^|\/)rampart(:|@|$)/.test(c.image ?? ''),
  );
}

export function rampartWorkloads(objs: K8sObject[]): Workload[] {
  return workloads(objs).filter((w) => rampartContainers(w).length > 0);
}

/** The ConfigMap data a container receives through envFrom (generated names resolved). */
export function configMapEnv(objs: K8sObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (!name) continue;
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    if (!cm) throw new Error(`ConfigMap ${name} referenced by ${container.name} is not rendered`);
    Object.assign(env, (cm.data ?? {}) as Record<string, string>);
  }
  return env;
}

/** Literal env values a container ends up with: ConfigMap first, then `env` entries. */
export function literalEnv(objs: K8sObject[], container: Container): Record<string, string> {
  const env = configMapEnv(objs, container);
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return env;
}

/** Every variable name a container sets, however it is sourced. */
export function envNames(objs: K8sObject[], container: Container): string[] {
  return [
    ...Object.keys(configMapEnv(objs, container)),
    ...(container.env ?? []).map((e) => e.name),
  ];
}

/** The image reference split into name, tag and digest. */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@') as [string, string | undefined];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > lastSlash) {
    return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  }
  return { name: withoutDigest, digest };
}
