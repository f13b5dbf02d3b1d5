/**
 * `kubectl kustomize` renders the base, every overlay and the component fixture; the committed
 * snapshots in k8s/rendered/ match that output, so machines without kubectl test the same objects
 * (manifests.ts refuses a snapshot whose source digest is stale).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  hasKubectl,
  parseObjects,
  readSnapshot,
  renderWithKubectl,
  snapshotHeader,
  snapshotPath,
  SNAPSHOT_DIR,
  sourceDigest,
  TARGET_NAMES,
  TARGETS,
  type TargetName,
} from './manifests.js';

const kubectl = hasKubectl();
const update = process.env.UPDATE_K8S_SNAPSHOTS === '1';
const withKubectl = kubectl ? it : it.skip;

const EXPECTED_KINDS: Record<TargetName, string[]> = {
  base: [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'NetworkPolicy',
    'PodDisruptionBudget',
    'Service',
    'ServiceAccount',
  ],
  dev: [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'Namespace',
    'NetworkPolicy',
    'PodDisruptionBudget',
    'Secret',
    'Service',
    'ServiceAccount',
    'StatefulSet',
  ],
  prod: [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'NetworkPolicy',
    'PodDisruptionBudget',
    'Service',
    'ServiceAccount',
    'ServiceMonitor',
  ],
  'hpa-inflight': [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'NetworkPolicy',
    'PodDisruptionBudget',
    'Service',
    'ServiceAccount',
  ],
};

describe.each(TARGET_NAMES)('kustomize %s', (name) => {
  withKubectl(`kubectl kustomize ${TARGETS[name]} renders the expected kinds`, () => {
    const objs = parseObjects(renderWithKubectl(name));
    expect([...new Set(objs.map((o) => o.kind))].sort()).toEqual(EXPECTED_KINDS[name]);
    if (update) {
      mkdirSync(SNAPSHOT_DIR, { recursive: true });
      writeFileSync(
        snapshotPath(name),
        snapshotHeader(name, sourceDigest()) + renderWithKubectl(name),
      );
    }
  });

  withKubectl(`the committed snapshot k8s/rendered/${name}.yaml equals the live render`, () => {
    expect(readSnapshot(name).body.trim()).toEqual(renderWithKubectl(name).trim());
  });

  it('the snapshot was rendered from the current sources (fallback without kubectl)', () => {
    expect({ snapshot: readSnapshot(name).digest, sources: 'current' }).toEqual({
      snapshot: sourceDigest(),
      sources: 'current',
    });
  });
});
