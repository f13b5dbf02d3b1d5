/**
 * Every rendered object validates against the Kubernetes API schemas, offline and strictly:
 * kubernetes-models' JSON-schema validators (types, required fields, enums, formats) plus a tsc
 * pass over kubernetes-types (unknown fields and removed API versions are errors).
 */
import {
  generateTypedConstants,
  isStableVersion,
  modelFor,
  servedKinds,
  typecheck,
  type Diagnostic,
  type Generated,
} from './schema.check.js';
import { objects, TARGET_NAMES, type K8sObject } from './manifests.js';

/**
 * kustomize wraps generated Secret data at 70 columns; the API server's base64 decoder (Go's
 * StdEncoding) skips newlines, kubernetes-models' `byte` format does not.
 */
function withUnwrappedSecretData(obj: K8sObject): K8sObject {
  if (obj.kind !== 'Secret' || !obj.data) return obj;
  const data = Object.fromEntries(
    Object.entries(obj.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, '')]),
  );
  return { ...obj, data };
}

/** A copy of `obj` with the value at `path` replaced (arrays indexed by number). */
function mutate(
  obj: K8sObject,
  ...edits: [path: (string | number)[], value: unknown][]
): K8sObject {
  const copy = structuredClone(obj);
  for (const [path, value] of edits) {
    let node = copy as unknown as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path.at(-1)!] = value;
  }
  return copy;
}

/** Known-bad copies of the base Deployment, each of which the strict check must reject. */
function negativeControl(): Generated {
  const deployment = objects('base').find((o) => o.kind === 'Deployment')!;
  const container = ['spec', 'template', 'spec', 'containers', 0];
  return generateTypedConstants('negative', [
    // A typo one level deep in a container: `imagePullpolicy`.
    mutate(
      deployment,
      [['metadata', 'name'], 'typo'],
      [[...container, 'imagePullpolicy'], 'Always'],
    ),
    // A field that only exists on another kind (Service's clusterIP on a Deployment).
    mutate(deployment, [['metadata', 'name'], 'foreign'], [['spec', 'clusterIP'], 'None']),
    // A string where the API wants an integer.
    mutate(
      deployment,
      [['metadata', 'name'], 'wrongtype'],
      [[...container, 'ports', 0, 'containerPort'], '8080'],
    ),
  ]);
}

describe('rendered manifests validate against the Kubernetes API schemas', () => {
  describe.each(TARGET_NAMES)('%s', (name) => {
    it('passes the kubernetes-models validators (types, required fields, enums)', async () => {
      const failures: string[] = [];
      for (const obj of objects(name)) {
        const Model = await modelFor(obj);
        if (!Model) {
          // Only custom resources lack a model; they get the strict tsc check below.
          expect(obj.apiVersion).toMatch(/\.coreos\.com\//);
          continue;
        }
        try {
          new Model(withUnwrappedSecretData(obj)).validate();
        } catch (error) {
          failures.push(`${obj.kind}/${obj.metadata.name}: ${(error as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });

  // The renders and the negative control below, compiled by one tsc run: its start-up (reading
  // the declaration files) is most of a run's time.
  const problems: string[] = [];
  let typechecked: Promise<Diagnostic[]>;
  beforeAll(() => {
    const files: Record<string, string> = {};
    for (const name of TARGET_NAMES) {
      const generated = generateTypedConstants(name, objects(name));
      files[`rendered-${name}`] = generated.source;
      problems.push(...generated.problems);
    }
    files['negative-control'] = negativeControl().source;
    typechecked = typecheck(files);
    typechecked.catch(() => undefined); // reported by the tests, which await it
  });

  it('compiles as kubernetes-types constants: no unknown field, no removed API version', async () => {
    expect(problems).toEqual([]);
    const real = (await typechecked).filter((d) => !d.file.startsWith('negative-control'));
    expect(real.map((d) => `${d.file}:${d.line} ${d.constant}: ${d.message}`)).toEqual([]);
  });

  // The checker must be able to fail: feed it known-bad objects and expect each to be caught.
  describe('the strict check rejects', () => {
    it('no other fault in the known-bad objects: each API version is served and stable', () => {
      expect(negativeControl().problems).toEqual([]);
    });

    it.each([
      ['an unknown field (typo)', 'typo'],
      ['a field of another kind', 'foreign'],
      ['a wrongly typed value', 'wrongtype'],
    ])('%s', async (_label, objectName) => {
      const hits = (await typechecked).filter(
        (d) =>
          d.file.startsWith('negative-control') &&
          d.constant?.endsWith(`_Deployment_${objectName}`),
      );
      expect(hits.length).toBeGreaterThan(0);
    });

    it.each([
      ['policy/v1beta1', 'PodDisruptionBudget'],
      ['autoscaling/v2beta2', 'HorizontalPodAutoscaler'],
      ['extensions/v1beta1', 'Deployment'],
      ['networking.k8s.io/v1beta1', 'Ingress'],
    ])('the removed API version %s %s', (apiVersion, kind) => {
      const { problems } = generateTypedConstants('removed', [
        { apiVersion, kind, metadata: { name: 'old' } },
      ]);
      expect(problems).toEqual([expect.stringContaining('removed or unknown')]);
    });

    it('a pre-release API version even where it is still served', () => {
      const served = [...servedKinds().keys()].find(
        (k) => !isStableVersion(k.split('/').slice(0, -1).join('/')),
      );
      expect(served).toBeDefined();
      const [kind, ...rest] = served!.split('/').reverse();
      const { problems } = generateTypedConstants('prerelease', [
        { apiVersion: rest.reverse().join('/'), kind: kind!, metadata: { name: 'beta' } },
      ]);
      expect(problems).toEqual([expect.stringContaining('not a stable API version')]);
    });
  });
});
