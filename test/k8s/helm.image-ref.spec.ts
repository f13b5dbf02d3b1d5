/**
 * image.repository and image.tag make the container's image reference, and the tag is also the
 * `app.kubernetes.io/version` label and SERVICE_VERSION. A value the reference grammar refuses
 * (`rampart:1.0` as the repository rendered `rampart:1.0:0.1.0`) leaves every pod in
 * InvalidImageName; a tag the label grammar refuses (64 characters, a trailing `-`) has the API
 * server refuse the whole release. The schema refuses both at install; the digest was already
 * held to `sha256:` and 64 hex digits (helm.values.spec.ts).
 */
import { helm } from '../support/helm.js';
import { CHART_DIR, NAMESPACE, RELEASE } from './helm.render.js';
import { parseImage, parseObjects, rampartContainers, rampartWorkloads } from './manifests.js';

/** A Kubernetes label value (apimachinery validation: IsValidLabelValue). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

async function template(key: 'repository' | 'tag', value: string) {
  return helm([
    'template',
    RELEASE,
    CHART_DIR,
    '--namespace',
    NAMESPACE,
    '--set-string',
    `image.${key}=${value}`,
  ]);
}

describe('image.repository', () => {
  it.each([
    'rampart',
    'platform/rampart',
    'registry.example.internal/platform/rampart',
    'registry.example.internal:5000/platform/rampart',
    'localhost:5000/rampart',
    '[fd00::1]:5000/rampart',
    'ghcr.io/acme__labs/rampart',
    'acme-co.web/team--a.b_c/rampart',
  ])('accepts %s, and the pods pull exactly it', async (repository) => {
    const run = await template('repository', repository);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const c = rampartContainers(rampartWorkloads(parseObjects(run.stdout))[0]!)[0]!;
    expect(parseImage(c.image!)).toEqual({ name: repository, tag: '0.1.0' });
  });

  it.each([
    ['a tag in the repository', 'rampart:1.0'],
    ['a digest in the repository', 'rampart@sha256:abc'],
    ['upper case in a path', 'acme/Rampart'],
    ['whitespace', 'acme/ rampart'],
    ['a trailing slash', 'acme/rampart/'],
    ['a scheme', 'https://registry.example/rampart'],
    ['a separator at the end of a component', 'acme/rampart-'],
  ])('refuses %s (%s)', async (_label, repository) => {
    const run = await template('repository', repository);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('/image/repository');
  });
});

describe('image.tag', () => {
  it.each(['0.2.0', 'v1.2.3', '1.0.0-rc.1', '1.0.0_build.7', 'sha-0123abc', 'A', 'x'.repeat(63)])(
    'accepts %s: a valid reference and version label',
    async (tag) => {
      const run = await template('tag', tag);
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      const objs = parseObjects(run.stdout);
      for (const o of objs) expect(o.metadata.labels?.['app.kubernetes.io/version']).toBe(tag);
      expect(tag).toMatch(LABEL_VALUE);
    },
  );

  it.each([
    ['whitespace', '1.0 beta'],
    ['a newline', '1.0\nbeta'],
    ['a build suffix with +', '1.0.0+build'],
    ['a digest in the tag', 'sha256:0123'],
    ['a leading dot', '.1'],
    ['a trailing separator (an invalid label value)', '1.0-'],
    ['a leading underscore (an invalid label value)', '_1.0'],
    ['more than 63 characters (the label limit)', 'x'.repeat(64)],
    ['latest', 'latest'],
  ])('refuses %s', async (_label, tag) => {
    const run = await template('tag', tag);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('/image/tag');
  });
});
