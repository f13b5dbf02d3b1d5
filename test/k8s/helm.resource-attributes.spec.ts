/**
 * `telemetry.resourceAttributes` adds OpenTelemetry resource attributes (deployment.environment.name,
 * team, …) to the one OTEL_RESOURCE_ATTRIBUTES the chart writes, beside the pod's identity; an
 * extraEnv entry of that name is refused, since it would replace the identity. The rendered value
 * is read here as a pod would: the kubelet expands $(VAR), then the SDK's own detector parses it,
 * and on one bad entry the SDK drops every attribute, so what the syntax would misread is
 * percent-encoded and what the SDK would drop is refused.
 */
import { resourceAttributesEnvDetector } from '@opentelemetry/resources';
import { refusalOf, renderValues } from './helm.values-render.js';
import { rampartContainers, rampartWorkloads } from './manifests.js';

/** The downward-API values the kubelet would give the pod. */
const POD = { POD_NAME: 'rampart-7d9-x2', POD_NAMESPACE: 'payments', NODE_NAME: 'node-a' };
const IDENTITY = {
  'k8s.pod.name': POD.POD_NAME,
  'k8s.namespace.name': POD.POD_NAMESPACE,
  'k8s.node.name': POD.NODE_NAME,
  'k8s.container.name': 'rampart',
};

/** The kubelet's $(VAR) expansion: `$$` is `$`, `$(NAME)` a variable defined above, else kept. */
function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (match, name?: string) =>
    match === '$$' ? '$' : name !== undefined && name in vars ? vars[name]! : match,
  );
}

/** The resource attributes a pod of this render reports, as @opentelemetry/resources reads them. */
async function podAttributes(values: object): Promise<Record<string, unknown>> {
  const { objs, refused } = await renderValues(values);
  expect(refused).toBeUndefined();
  const env = rampartContainers(rampartWorkloads(objs!)[0]!)[0]!.env ?? [];
  const raw = env.find((e) => e.name === 'OTEL_RESOURCE_ATTRIBUTES')?.value ?? '';
  const saved = process.env.OTEL_RESOURCE_ATTRIBUTES;
  process.env.OTEL_RESOURCE_ATTRIBUTES = expand(raw, POD);
  try {
    return resourceAttributesEnvDetector.detect().attributes ?? {};
  } finally {
    if (saved === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    else process.env.OTEL_RESOURCE_ATTRIBUTES = saved;
  }
}

const withAttributes = (resourceAttributes: Record<string, string>) => ({
  telemetry: { resourceAttributes },
});

describe('telemetry.resourceAttributes joins the pod identity in OTEL_RESOURCE_ATTRIBUTES', () => {
  it('by default the pod reports its identity alone', async () => {
    expect(await podAttributes({})).toEqual(IDENTITY);
  });

  it('adds each attribute and keeps the identity', async () => {
    const added = { 'deployment.environment.name': 'prod', team: 'payments' };
    expect(await podAttributes(withAttributes(added))).toEqual({ ...IDENTITY, ...added });
  });

  it('text the syntax or the kubelet would read arrives as written', async () => {
    const added = {
      'a,b': 'x=y,z',
      percent: '100% %41',
      dollars: '$(POD_NAME) $$ $',
      inner: 'two words, é and 😀',
      empty: '',
      longest: 'x'.repeat(255),
    };
    expect(await podAttributes(withAttributes(added))).toEqual({ ...IDENTITY, ...added });
  });

  it('null leaves an attribute out (a later values file removing an earlier one’s)', async () => {
    const values = { telemetry: { resourceAttributes: { team: null, tier: 'api' } } };
    expect(await podAttributes(values)).toEqual({ ...IDENTITY, tier: 'api' });
  });
});

describe('attributes the pod would not report as given fail the render, naming them', () => {
  it.each([
    ['k8s.pod.name', 'the chart sets it'],
    ['k8s.namespace.name', 'the chart sets it'],
    ['k8s.node.name', 'the chart sets it'],
    ['k8s.container.name', 'the chart sets it'],
    ['service.name', 'set config.OTEL_SERVICE_NAME instead'],
    ['service.version', 'the app sets it from SERVICE_VERSION: change image.tag instead'],
  ])('%s', async (key, says) => {
    const message = await refusalOf(withAttributes({ [key]: 'x' }));
    expect(message).toContain(`telemetry.resourceAttributes.${key}: ${says}`);
  });

  it.each([
    ['a value with a space at its end', { team: 'payments ' }, 'starts or ends with whitespace'],
    ['a key with a space at its start', { ' team': 'payments' }, 'starts or ends with whitespace'],
    ['a value of 256 characters', { team: 'x'.repeat(256) }, 'of 256 characters'],
    // 128 characters outside the BMP are 256 UTF-16 code units: JavaScript's length.
    ['a value of 128 emoji', { team: '😀'.repeat(128) }, 'of 256 characters'],
    ['an empty key', { '': 'x' }, "invalid propertyName ''"],
  ])('%s', async (_label, attributes, says) => {
    expect(await refusalOf(withAttributes(attributes))).toContain(says);
  });

  it('a value that is not text', async () => {
    expect(await refusalOf({ telemetry: { resourceAttributes: { replicas: 3 } } })).toContain(
      'got number, want null or string',
    );
  });

  it('an extraEnv OTEL_RESOURCE_ATTRIBUTES, which would replace the identity, points here', async () => {
    const message = await refusalOf({
      extraEnv: [{ name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'team=payments' }],
    });
    expect(message).toContain('telemetry.resourceAttributes: add yours there');
  });
});
