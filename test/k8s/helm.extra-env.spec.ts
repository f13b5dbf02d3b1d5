/**
 * A variable has one source in the chart: `config` (the ConfigMap) or an `extraEnv` entry, never
 * both. The container's `env` comes after its ConfigMap, so an entry naming a `config` key won
 * without an error while values.yaml still showed the other value; an extraEnv
 * SHUTDOWN_TIMEOUT_MS of 120 s over config's 25 s was once even under a grace period derived from
 * config's, and the kubelet SIGKILLed every pod in the middle of its drain. `config.<NAME>: null`
 * leaves a key out of the ConfigMap, for a variable taken from a valueFrom; the chart's checks and
 * the `helm test` pod then follow the entry.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podSpec } from './consistency.helpers.js';
import { isHook } from './helm.render.js';
import { refusalOf, renderValues } from './helm.values-render.js';
import { rampartContainers, rampartWorkloads } from './manifests.js';
import type { K8sObject } from './manifests.js';

const fromConfigMap = (key: string) => ({ configMapKeyRef: { name: 'settings', key } });

function testPodEnv(objs: K8sObject[], name: string) {
  const pod = objs.find(isHook) as Pod;
  return (pod.spec!.containers[0]!.env ?? []).find((e) => e.name === name);
}

describe('an extraEnv entry naming a variable config sets fails the render', () => {
  it('names the variable and says to use config instead (LOG_LEVEL)', async () => {
    const message = await refusalOf({ extraEnv: [{ name: 'LOG_LEVEL', value: 'debug' }] });
    expect(message).toContain('extraEnv LOG_LEVEL: config.LOG_LEVEL sets LOG_LEVEL');
    expect(message).toContain('use config.LOG_LEVEL instead');
    expect(message).toContain('set config.LOG_LEVEL to null');
  });

  it('a key the user added to config too, from a valueFrom', async () => {
    const message = await refusalOf({
      config: { CACHE_TTL_MS: '5000' },
      extraEnv: [{ name: 'CACHE_TTL_MS', valueFrom: fromConfigMap('ttl') }],
    });
    expect(message).toContain('extraEnv CACHE_TTL_MS: config.CACHE_TTL_MS sets CACHE_TTL_MS');
  });

  it.each(['SHUTDOWN_TIMEOUT_MS', 'SHUTDOWN_DRAIN_DELAY_MS', 'REQUEST_TIMEOUT_MS'])(
    '%s, which must stay in config: the grace period and the stop-sequence check come from it',
    async (name) => {
      const message = await refusalOf({ extraEnv: [{ name, value: '120000' }] });
      expect(message).toContain(`extraEnv ${name}: config.${name} sets ${name}`);
      expect(message).toContain(`use config.${name} instead (it must stay there`);
    },
  );

  it('REDIS_KEY_PREFIX, which the chart writes into the ConfigMap unless config sets it', async () => {
    const message = await refusalOf({ extraEnv: [{ name: 'REDIS_KEY_PREFIX', value: 'a:' }] });
    expect(message).toContain(
      'extraEnv REDIS_KEY_PREFIX: the chart writes REDIS_KEY_PREFIX=rampart:rampart: into the ConfigMap',
    );
    expect(message).toContain('use config.REDIS_KEY_PREFIX instead');
  });
});

describe('config.<NAME>: null hands a variable to an extraEnv entry', () => {
  it('the ConfigMap leaves it out, and the container takes the entry', async () => {
    const extraEnv = [{ name: 'LOG_LEVEL', valueFrom: fromConfigMap('level') }];
    const { objs, refused } = await renderValues({ config: { LOG_LEVEL: null }, extraEnv });
    expect(refused).toBeUndefined();
    const configMap = objs!.find((o) => o.kind === 'ConfigMap') as K8sObject & {
      data: Record<string, string>;
    };
    expect(Object.keys(configMap.data)).not.toContain('LOG_LEVEL');
    const env = rampartContainers(rampartWorkloads(objs!)[0]!)[0]!.env ?? [];
    expect(env.filter((e) => e.name === 'LOG_LEVEL')).toEqual(extraEnv);
  });

  it('an entry for a variable config leaves out changes nothing the chart derives (5 + 25 + 10 s)', async () => {
    const { objs, refused } = await renderValues({
      extraEnv: [{ name: 'UV_THREADPOOL_SIZE', value: '8' }],
    });
    expect(refused).toBeUndefined();
    expect(podSpec(rampartWorkloads(objs!)[0]!).terminationGracePeriodSeconds).toBe(40);
  });

  it('the `helm test` pod expects the service name the entry gives the pods', async () => {
    const { objs } = await renderValues({
      config: { OTEL_SERVICE_NAME: null },
      extraEnv: [{ name: 'OTEL_SERVICE_NAME', value: 'payments' }],
    });
    expect(testPodEnv(objs!, 'EXPECTED_SERVICE')?.value).toBe('payments');
  });

  it('the `helm test` pod reads a valueFrom service name from the same source', async () => {
    const { objs } = await renderValues({
      config: { OTEL_SERVICE_NAME: null },
      extraEnv: [{ name: 'OTEL_SERVICE_NAME', valueFrom: fromConfigMap('service') }],
    });
    expect(testPodEnv(objs!, 'EXPECTED_SERVICE')).toEqual({
      name: 'EXPECTED_SERVICE',
      valueFrom: fromConfigMap('service'),
    });
  });

  it('with neither, the `helm test` pod expects the app’s default service name', async () => {
    const { objs } = await renderValues({ config: { OTEL_SERVICE_NAME: null } });
    expect(testPodEnv(objs!, 'EXPECTED_SERVICE')?.value).toBe('rampart');
  });
});

describe('the stop-sequence check names where each value is set', () => {
  it('names config.REQUEST_TIMEOUT_MS, not SHUTDOWN_TIMEOUT_MS alone, when config raises the request deadline', async () => {
    const message = await refusalOf({ config: { REQUEST_TIMEOUT_MS: '30000' } });
    expect(message).toContain('config.REQUEST_TIMEOUT_MS=30000');
    expect(message).toContain('config.SHUTDOWN_DRAIN_DELAY_MS=2000');
    expect(message).toContain('config.SHUTDOWN_TIMEOUT_MS=25000');
  });
});

describe('extraEnv values the app would refuse at start fail the install', () => {
  it.each([
    [
      "a whole number past the app's bound",
      [{ name: 'DB_POOL_QUEUE_MAX', value: '5000000' }],
      'extraEnv DB_POOL_QUEUE_MAX=5000000: must be between 0 and 1000000',
    ],
    [
      'a timing that is not a whole number',
      [{ name: 'CACHE_TTL_MS', value: '10s' }],
      'extraEnv CACHE_TTL_MS=10s: expected a whole number',
    ],
    // EnvVar.value is a string: a YAML number renders, and the API server refuses the Deployment.
    ['a value given as a number', [{ name: 'UV_THREADPOOL_SIZE', value: 5 }], '/extraEnv/0/value'],
    [
      'a field EnvVar does not have (typo of valueFrom)',
      [{ name: 'REDIS_URL', valueFom: { secretKeyRef: { name: 'r', key: 'k' } } }],
      "'valueFom'",
    ],
  ])('%s', async (_label, extraEnv, mentions) => {
    expect(await refusalOf({ extraEnv })).toContain(mentions);
  });

  it('refuses an extraEnv TRUST_PROXY hop count with the NetworkPolicy off', async () => {
    const message = await refusalOf({
      networkPolicy: { enabled: false },
      config: { TRUST_PROXY: null },
      extraEnv: [{ name: 'TRUST_PROXY', value: '2' }],
    });
    expect(message).toContain('extraEnv TRUST_PROXY=2 is a hop count');
  });

  it('refuses an extraEnv TRUST_PROXY from valueFrom with the NetworkPolicy off: it could be a hop count', async () => {
    const message = await refusalOf({
      networkPolicy: { enabled: false },
      config: { TRUST_PROXY: null },
      extraEnv: [{ name: 'TRUST_PROXY', valueFrom: fromConfigMap('trust') }],
    });
    expect(message).toContain('extraEnv TRUST_PROXY takes its value from valueFrom');
  });

  it.each([
    ['of CIDRs', [{ name: 'TRUST_PROXY', value: '10.0.0.0/8' }]],
    ['left unset (the app reads it as off)', []],
  ])('accepts TRUST_PROXY %s with the NetworkPolicy off', async (_label, extraEnv) => {
    const { refused } = await renderValues({
      networkPolicy: { enabled: false },
      config: { TRUST_PROXY: null },
      extraEnv,
    });
    expect(refused).toBeUndefined();
  });
});
