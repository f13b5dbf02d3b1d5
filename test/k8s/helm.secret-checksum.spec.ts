/**
 * A `helm upgrade` that changes only a credential the chart holds (database.url,
 * adminToken.token) must roll the pods: the container reads its Secrets only when it starts, so
 * without a change to the pod template the old pods keep the old URL or token until something
 * else restarts them. The chart hashes the Secrets it creates into the pod annotations, as it
 * hashes the ConfigMap (helm.consistency.spec.ts); an existing Secret it cannot read is left out.
 */
import { parseObjects, template, workloads } from './manifests.js';
import { templateChart } from './helm.render.js';

const URL_A = 'postgres://rampart:first@db.example:5432/rampart';
const URL_B = 'postgres://rampart:second@db.example:5432/rampart';
const TOKEN_A = 'a'.repeat(32);
const TOKEN_B = 'b'.repeat(32);

/** The pod template's annotations of one render. */
async function podAnnotations(args: string[]): Promise<Record<string, string>> {
  const objs = parseObjects(await templateChart(args));
  return template(workloads(objs)[0]!).metadata?.annotations ?? {};
}

const credentials = (url: string, token: string) => [
  '--set-string',
  `database.url=${url}`,
  '--set-string',
  `adminToken.token=${token}`,
];

describe('pod-template annotations follow the Secrets the chart creates', () => {
  it('a changed database.url changes the pod template, so the upgrade rolls the pods', async () => {
    const before = await podAnnotations(credentials(URL_A, TOKEN_A));
    const after = await podAnnotations(credentials(URL_B, TOKEN_A));
    expect(before['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    expect(after['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toEqual(before);
    // The ConfigMap did not change: only the Secret's checksum can have rolled the pods.
    expect(after['checksum/config']).toBe(before['checksum/config']);
  });

  it('a changed adminToken.token changes the pod template', async () => {
    const before = await podAnnotations(credentials(URL_A, TOKEN_A));
    const after = await podAnnotations(credentials(URL_A, TOKEN_B));
    expect(after['checksum/secret']).not.toBe(before['checksum/secret']);
  });

  it('the same values render the same annotations (an unrelated upgrade does not roll the pods)', async () => {
    expect(await podAnnotations(credentials(URL_A, TOKEN_A))).toEqual(
      await podAnnotations(credentials(URL_A, TOKEN_A)),
    );
  });

  it('has no Secret checksum when the chart creates no Secret (existing Secrets only)', async () => {
    const annotations = await podAnnotations([
      '--set',
      'database.existingSecret=db-creds,adminToken.existingSecret=admin-creds',
    ]);
    expect(Object.keys(annotations)).toEqual(['checksum/config']);
  });
});
