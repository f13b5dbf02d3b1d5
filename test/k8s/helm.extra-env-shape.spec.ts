/**
 * `extraEnv` takes what Kubernetes takes, and never a second definition of a variable. Of two
 * env entries with one name the kubelet keeps the last without an error, and an env entry beats
 * the ConfigMap: an entry naming a variable the chart sets (a port, the heap flags, a Secret) or
 * one given twice would reach the pods unnoticed (one naming a `config` key:
 * helm.extra-env.spec.ts). values.schema.json refuses the shapes; the templates refuse the
 * names, naming them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartObjects, CHART_DIR } from './helm.render.js';
import { refusalOf, renderValues } from './helm.values-render.js';
import { rampartContainers, rampartWorkloads } from './manifests.js';
import { modelFor } from './schema.check.js';

const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
/** The variables the chart derives or takes from Secrets (refused under `config` too). */
const CHART_SET: string[] = schema.properties.config.propertyNames.not.enum;

describe('an extraEnv name the chart sets itself fails the render, naming it', () => {
  it('the list covers every variable the chart puts in the container’s env', async () => {
    const container = rampartContainers(rampartWorkloads(await chartObjects('default'))[0]!)[0]!;
    const names = (container.env ?? []).map((e) => e.name);
    expect(names.filter((name) => !CHART_SET.includes(name))).toEqual([]);
  });

  it.each(CHART_SET)('%s', async (name) => {
    const message = await refusalOf({ extraEnv: [{ name, value: 'x' }] });
    expect(message).toContain(`extraEnv ${name}: the chart sets ${name} itself, from `);
  });

  it('says which value to change instead (ports.http for PORT)', async () => {
    const message = await refusalOf({ extraEnv: [{ name: 'PORT', value: '8000' }] });
    expect(message).toContain('from ports.http: change that instead');
  });
});

describe('an extraEnv name given twice fails the render', () => {
  it('names the variable and both entries', async () => {
    const extraEnv = [
      { name: 'UV_THREADPOOL_SIZE', value: '8' },
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'redis', key: 'url' } } },
      { name: 'UV_THREADPOOL_SIZE', value: '16' },
    ];
    expect(await refusalOf({ extraEnv })).toContain(
      'extraEnv UV_THREADPOOL_SIZE is given twice (entries 0 and 2)',
    );
  });
});

const byKey = { name: 'rampart-extra', key: 'K' };

describe('values.schema.json holds each extraEnv entry to the EnvVar shape', () => {
  it.each([
    ['a name with =', { name: 'A=B', value: '1' }, "'/extraEnv/0/name'"],
    ['a name starting with a digit', { name: '1A', value: '1' }, "'/extraEnv/0/name'"],
    ['a value that is not text', { name: 'UV_THREADPOOL_SIZE', value: true }, 'want string'],
    [
      'a value beside valueFrom (the API server refuses both)',
      { name: 'UV_THREADPOOL_SIZE', value: 'debug', valueFrom: { configMapKeyRef: byKey } },
      "'/extraEnv/0/value'",
    ],
    [
      'valueFrom without a source',
      { name: 'UV_THREADPOOL_SIZE', valueFrom: {} },
      "'/extraEnv/0/valueFrom'",
    ],
    [
      'valueFrom with two sources',
      { name: 'UV_THREADPOOL_SIZE', valueFrom: { configMapKeyRef: byKey, secretKeyRef: byKey } },
      "'/extraEnv/0/valueFrom'",
    ],
    [
      "envFrom's configMapRef in valueFrom",
      { name: 'UV_THREADPOOL_SIZE', valueFrom: { configMapRef: { name: 'rampart-extra' } } },
      "'configMapRef'",
    ],
    [
      'a secretKeyRef without its key',
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'redis' } } },
      "missing property 'key'",
    ],
    [
      'a fieldRef without its fieldPath',
      { name: 'HOST_IP', valueFrom: { fieldRef: { path: 'status.hostIP' } } },
      "'/extraEnv/0/valueFrom/fieldRef'",
    ],
  ])('refuses %s', async (_label, entry, mentions) => {
    expect(await refusalOf({ extraEnv: [entry] })).toContain(mentions);
  });

  it('renders each source Kubernetes takes, and an empty value, as a valid Deployment', async () => {
    const extraEnv = [
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { ...byKey, optional: false } } },
      { name: 'OTEL_EXPORTER_OTLP_HEADERS', valueFrom: { configMapKeyRef: byKey } },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      {
        name: 'MEMORY_LIMIT_MIB',
        valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
      },
      { name: 'UV_THREADPOOL_SIZE', value: '8' },
      { name: 'EMPTY', value: '', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'UNSET' },
    ];
    const { objs, refused } = await renderValues({ extraEnv });
    expect(refused).toBeUndefined();
    const deployment = rampartWorkloads(objs!)[0]!;
    const Model = (await modelFor(deployment))!;
    expect(() => new Model(deployment).validate()).not.toThrow();
    const env = rampartContainers(deployment)[0]!.env ?? [];
    expect(env.slice(-extraEnv.length)).toEqual(extraEnv);
  });
});
