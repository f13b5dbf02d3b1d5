/**
 * `extraEnv` entries come after the ConfigMap (envFrom) in the container, so an entry naming an
 * app variable overrides `config`. What the chart derives and checks must follow the value the
 * container sees: an extraEnv SHUTDOWN_TIMEOUT_MS of 120 s under a grace period derived from
 * config's 25 s had the kubelet SIGKILL every pod in the middle of its drain.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podSpec } from './consistency.helpers.js';
import { isHook } from './helm.render.js';
import { refusalOf, renderValues } from './helm.values-render.js';
import { rampartWorkloads } from './manifests.js';

type EnvVar = { name: string; value?: unknown; valueFrom?: object };

async function gracePeriod(extraEnv: EnvVar[]): Promise<number | undefined> {
  const { objs, refused } = await renderValues({ extraEnv });
  expect(refused).toBeUndefined();
  return podSpec(rampartWorkloads(objs!)[0]!).terminationGracePeriodSeconds;
}

describe('an extraEnv entry overrides config, and the chart derives from what it sets', () => {
  it('terminationGracePeriodSeconds covers an extraEnv SHUTDOWN_TIMEOUT_MS (5 + 120 + 10 s)', async () => {
    expect(await gracePeriod([{ name: 'SHUTDOWN_TIMEOUT_MS', value: '120000' }])).toBe(135);
  });

  it('an entry for another variable changes nothing (5 + 25 + 10 s)', async () => {
    expect(await gracePeriod([{ name: 'LOG_LEVEL', value: 'debug' }])).toBe(40);
  });

  it('the `helm test` pod expects the service name extraEnv gives the pods', async () => {
    const { objs } = await renderValues({
      extraEnv: [{ name: 'OTEL_SERVICE_NAME', value: 'payments' }],
    });
    const pod = objs!.find(isHook) as Pod;
    const env = pod.spec!.containers[0]!.env ?? [];
    expect(env.find((e) => e.name === 'EXPECTED_SERVICE')?.value).toBe('payments');
  });
});

describe('the stop-sequence check uses the values the container sees and names where each is set', () => {
  it('refuses an extraEnv REQUEST_TIMEOUT_MS the shutdown deadline cannot cover', async () => {
    const message = await refusalOf({ extraEnv: [{ name: 'REQUEST_TIMEOUT_MS', value: '30000' }] });
    expect(message).toContain('extraEnv REQUEST_TIMEOUT_MS=30000');
    expect(message).toContain('config.SHUTDOWN_DRAIN_DELAY_MS=2000');
    expect(message).toContain('config.SHUTDOWN_TIMEOUT_MS=25000');
  });

  it('refuses an extraEnv SHUTDOWN_TIMEOUT_MS shorter than the drain plus one request', async () => {
    const message = await refusalOf({
      extraEnv: [{ name: 'SHUTDOWN_TIMEOUT_MS', value: '11000' }],
    });
    expect(message).toContain('extraEnv SHUTDOWN_TIMEOUT_MS=11000');
  });

  it('names config.REQUEST_TIMEOUT_MS, not SHUTDOWN_TIMEOUT_MS alone, when config raises the request deadline', async () => {
    const message = await refusalOf({ config: { REQUEST_TIMEOUT_MS: '30000' } });
    expect(message).toContain('config.REQUEST_TIMEOUT_MS=30000');
    expect(message).not.toContain('config.SHUTDOWN_TIMEOUT_MS must');
  });

  it('refuses a timing variable from valueFrom: the grace period cannot be derived from it', async () => {
    const fromConfigMap = { configMapKeyRef: { name: 'timings', key: 'SHUTDOWN_TIMEOUT_MS' } };
    const message = await refusalOf({
      extraEnv: [{ name: 'SHUTDOWN_TIMEOUT_MS', valueFrom: fromConfigMap }],
    });
    expect(message).toContain('extraEnv SHUTDOWN_TIMEOUT_MS');
    expect(message).toContain('valueFrom');
  });
});

describe('extraEnv values the app would refuse at start fail the install', () => {
  it.each([
    [
      "a whole number past the app's bound",
      [{ name: 'DB_POOL_MAX', value: '5000' }],
      'extraEnv DB_POOL_MAX=5000: must be between 1 and 1000',
    ],
    [
      'a timing that is not a whole number',
      [{ name: 'REQUEST_TIMEOUT_MS', value: '10s' }],
      'extraEnv REQUEST_TIMEOUT_MS=10s: expected a whole number',
    ],
    // EnvVar.value is a string: a YAML number renders, and the API server refuses the Deployment.
    ['a value given as a number', [{ name: 'LOG_LEVEL', value: 5 }], '/extraEnv/0/value'],
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
      config: { TRUST_PROXY: 'off' },
      extraEnv: [{ name: 'TRUST_PROXY', value: '2' }],
    });
    expect(message).toContain('extraEnv TRUST_PROXY=2 is a hop count');
  });

  it('accepts an extraEnv TRUST_PROXY of CIDRs over config hop count with the NetworkPolicy off', async () => {
    const { refused } = await renderValues({
      networkPolicy: { enabled: false },
      extraEnv: [{ name: 'TRUST_PROXY', value: '10.0.0.0/8' }],
    });
    expect(refused).toBeUndefined();
  });
});
