/**
 * Renders charts/rampart with the real Helm binary (test/support/helm.ts) for the chart specs:
 * the default values, and ci/all-toggles-values.yaml (every toggle on, most values changed).
 */
import { join } from 'node:path';
import { helm } from '../support/helm.js';
import { parseObjects, ROOT, type K8sObject } from './manifests.js';

export const CHART_DIR = join(ROOT, 'charts', 'rampart');
export const ALL_TOGGLES_VALUES = join(CHART_DIR, 'ci', 'all-toggles-values.yaml');
/** A release named like the chart, so every object carries the kustomize base's names. */
export const RELEASE = 'rampart';
export const NAMESPACE = 'rampart';

export const CHART_RENDERS = {
  default: [] as string[],
  'all-toggles': ['--values', ALL_TOGGLES_VALUES],
} as const;
export type ChartRenderName = keyof typeof CHART_RENDERS;
export const CHART_RENDER_NAMES = Object.keys(CHART_RENDERS) as ChartRenderName[];

/** `helm template` output (of the chart directory or a packaged chart); throws with Helm's
 * message when it refuses the values. */
export async function templateChart(args: readonly string[], chart = CHART_DIR): Promise<string> {
  return templateRelease({ release: RELEASE, namespace: NAMESPACE }, args, chart);
}

/** `helm template` of a release by another name or in another namespace. */
export async function templateRelease(
  at: { release: string; namespace: string },
  args: readonly string[],
  chart = CHART_DIR,
): Promise<string> {
  const run = await helm(['template', at.release, chart, '--namespace', at.namespace, ...args]);
  if (run.status !== 0) throw new Error(`helm template failed: ${run.stderr}`);
  return run.stdout;
}

const cache = new Map<ChartRenderName, Promise<K8sObject[]>>();

/** Every object of a named render, `helm test` hooks included. */
export function chartObjects(name: ChartRenderName): Promise<K8sObject[]> {
  let objs = cache.get(name);
  if (!objs) {
    objs = templateChart(CHART_RENDERS[name]).then(parseObjects);
    cache.set(name, objs);
  }
  return objs;
}

/** Helm hooks (the `helm test` pod): not part of the release's steady state. */
export function isHook(obj: K8sObject): boolean {
  return obj.metadata.annotations?.['helm.sh/hook'] !== undefined;
}
