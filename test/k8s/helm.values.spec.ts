/**
 * The chart passes `helm lint --strict` with its default values and with each values file in
 * ci/, and refuses bad values at install time: values.schema.json for shapes, types and forbidden
 * keys, the templates for rules that relate two values. Every case runs the real Helm binary.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helm, helmVersion } from '../support/helm.js';
import { ALL_TOGGLES_VALUES, CHART_DIR, NAMESPACE, RELEASE, templateChart } from './helm.render.js';

describe('helm lint --strict', () => {
  it('runs the Helm 4 binary unpacked from the pinned npm package', () => {
    expect(helmVersion()).toMatch(/^v4\.\d+\.\d+/);
  });

  // Every values file in ci/ (chart-testing's convention), so one added there is linted too.
  const ciValues = readdirSync(join(CHART_DIR, 'ci'))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

  it('lints the all-toggles values among the ci/ values files', () => {
    expect(ciValues.map((f) => join(CHART_DIR, 'ci', f))).toContain(ALL_TOGGLES_VALUES);
  });

  const lints: Array<[string, string[]]> = [
    ['default values', []],
    ...ciValues.map((f): [string, string[]] => [`ci/${f}`, ['--values', join(CHART_DIR, 'ci', f)]]),
  ];

  it.each(lints)('passes with %s', async (_label, args) => {
    const run = await helm(['lint', '--strict', CHART_DIR, ...args]);
    expect({ status: run.status, output: run.stdout + run.stderr }).toMatchObject({ status: 0 });
    expect(run.stdout).toContain('0 chart(s) failed');
  });

  it('fails when a value breaks the schema', async () => {
    const run = await helm(['lint', '--strict', CHART_DIR, '--set', 'image.tag=latest']);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('/image/tag');
  });
});

describe('helm package', () => {
  it('packs everything the templates read: the packaged chart renders what the directory renders', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rampart-chart-'));
    try {
      const packed = await helm(['package', CHART_DIR, '--destination', out]);
      expect({ status: packed.status, stderr: packed.stderr }).toEqual({ status: 0, stderr: '' });
      const archive = join(
        out,
        readdirSync(out).find((f) => f.endsWith('.tgz'))!,
      );
      const args = ['--values', ALL_TOGGLES_VALUES];
      expect(await templateChart(args, archive)).toEqual(await templateChart(args));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

/** `helm template` with one bad value: Helm must refuse it, naming the problem. */
async function refusal(args: string[]): Promise<string> {
  const run = await helm(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...args]);
  expect({ args, refused: run.status !== 0 }).toEqual({ args, refused: true });
  return run.stderr;
}

describe('values.schema.json refuses bad values at install', () => {
  it.each([
    ['an unknown top-level key (typo of replicaCount)', ['--set', 'replicas=3'], "'replicas'"],
    [
      'an unknown nested key (typo of maxReplicas)',
      ['--set', 'autoscaling.maxReplica=5'],
      "'maxReplica'",
    ],
    ['the `latest` tag', ['--set', 'image.tag=latest'], '/image/tag'],
    [
      'a name Kubernetes would refuse',
      ['--set', 'fullnameOverride=Rampart_API'],
      '/fullnameOverride',
    ],
    [
      'a name starting with a digit (a Service name may not)',
      ['--set', 'fullnameOverride=9api'],
      '/fullnameOverride',
    ],
    ['a malformed digest', ['--set', 'image.digest=sha256:abc'], '/image/digest'],
    [
      'a credential as plain config',
      ['--set', 'config.DATABASE_URL=postgres://u:p@db/x'],
      "'DATABASE_URL'",
    ],
    ['a port the chart derives, set as config', ['--set', 'config.PORT=80'], "'PORT'"],
    [
      'a config key that is not an environment name',
      ['--set', 'config.log_level=info'],
      "'log_level'",
    ],
    // The app ignores a name it does not read: the pool stayed at 10 for a typo of DB_POOL_MAX.
    [
      'a config key the app does not read (typo of DB_POOL_MAX)',
      ['--set', 'config.DB_POOL_MAXX=5'],
      "'DB_POOL_MAXX'",
    ],
    // The app refuses these at start: every new pod crash-looped and the rollout never ended.
    [
      'a log level the app does not know',
      ['--set', 'config.LOG_LEVEL=verbose'],
      '/config/LOG_LEVEL',
    ],
    [
      'a sampler ratio above 1',
      ['--set', 'config.OTEL_TRACES_SAMPLER_ARG=2'],
      '/config/OTEL_TRACES_SAMPLER_ARG',
    ],
    // A number by the schema (it holds the app's bounds), text by the template's check.
    ["a pool past the app's bound", ['--set', 'config.DB_POOL_MAX=5000'], '/config/DB_POOL_MAX'],
    [
      "a pool past the app's bound, as text",
      ['--set-string', 'config.DB_POOL_MAX=5000'],
      'between 1 and 1000',
    ],
    ['an empty pool', ['--set', 'config.DB_POOL_MAX=0'], '/config/DB_POOL_MAX'],
    [
      'an injected status that needs a header the fault cannot send',
      ['--set', 'config.CHAOS_ERROR_STATUS=405'],
      '/config/CHAOS_ERROR_STATUS',
    ],
    [
      'a whole number as a quoted string past the bound',
      ['--set-string', 'config.REQUEST_TIMEOUT_MS=0'],
      'REQUEST_TIMEOUT_MS=0: must be between 1 and',
    ],
    [
      'a number that is not whole',
      ['--set-string', 'config.DB_POOL_QUEUE_MAX=1e3'],
      'decimal digits',
    ],
    [
      'a flag that is not a boolean',
      ['--set', 'config.METRICS_ENABLED=yes'],
      '/config/METRICS_ENABLED',
    ],
    // Kubernetes 1.30-1.32 refuse a zero-second sleep (feature gate PodLifecycleSleepActionAllowZero).
    [
      'a zero-second preStop sleep',
      ['--set', 'lifecycle.preStopSleepSeconds=0'],
      '/lifecycle/preStopSleepSeconds',
    ],
    [
      'a memory limit the heap size cannot be derived from',
      ['--set', 'resources.limits.memory=1G'],
      '/resources/limits/memory',
    ],
    ['a port out of range', ['--set', 'ports.http=70000'], '/ports/http'],
    // The app runs as uid 10001 with every capability dropped: binding below 1024 fails with
    // EACCES unless the runtime lowers net.ipv4.ip_unprivileged_port_start (not CRI-O's default).
    ['a public port below 1024', ['--set', 'ports.http=80'], '/ports/http'],
    ['an admin port below 1024', ['--set', 'ports.admin=443'], '/ports/admin'],
    ['a Service port out of range', ['--set', 'service.port=0'], '/service/port'],
    ['a probe port below 1024', ['--set', 'ports.probes=1023'], '/ports/probes'],
    ['a port given as text', ['--set-string', 'ports.admin=9090'], '/ports/admin'],
    ['a zero probe period', ['--set', 'probes.liveness.periodSeconds=0'], '/probes/liveness'],
    ['a short admin token', ['--set-string', 'adminToken.token=short'], '/adminToken/token'],
    // helm.config-names.spec.ts samples the text patterns against the app; these are the types.
    [
      'a TRUST_PROXY of true (every hop believed)',
      ['--set', 'config.TRUST_PROXY=true'],
      '/config/TRUST_PROXY',
    ],
    [
      'a TRUST_PROXY hop count past 10',
      ['--set-json', 'config.TRUST_PROXY=11'],
      '/config/TRUST_PROXY',
    ],
    ['a Redis URL given as a number', ['--set-json', 'config.REDIS_URL=6379'], '/config/REDIS_URL'],
    ['a database URL of another scheme', ['--set', 'database.url=mysql://db/x'], '/database/url'],
    ['an unknown Service type', ['--set', 'service.type=External'], '/service/type'],
    [
      'an unknown eviction policy',
      ['--set', 'podDisruptionBudget.unhealthyPodEvictionPolicy=Sometimes'],
      '/podDisruptionBudget/unhealthyPodEvictionPolicy',
    ],
    [
      'a CPU target above 100%',
      ['--set', 'autoscaling.targetCPUUtilizationPercentage=150'],
      '/autoscaling/targetCPUUtilizationPercentage',
    ],
    [
      'an Ingress path without a leading slash',
      [
        '--set',
        'ingress.hosts[0].host=a,ingress.hosts[0].paths[0].path=api,ingress.hosts[0].paths[0].pathType=Prefix',
      ],
      '/ingress/hosts/0/paths/0/path',
    ],
    ['a required section removed', ['--set', 'probes=null'], 'probes'],
  ])('%s', async (_label, args, mentions) => {
    expect(await refusal(args)).toContain(mentions);
  });
});

describe('the templates refuse values that contradict each other', () => {
  it.each([
    [
      'maxReplicas below minReplicas',
      ['--set', 'autoscaling.minReplicas=12'],
      'autoscaling.maxReplicas must be >= autoscaling.minReplicas',
    ],
    [
      'a TRUST_PROXY hop count with the NetworkPolicy off (anyone could forge X-Forwarded-For)',
      ['--set', 'networkPolicy.enabled=false'],
      'config.TRUST_PROXY=1 is a hop count',
    ],
    [
      'a TRUST_PROXY hop count given as a number, with the NetworkPolicy off',
      ['--set', 'networkPolicy.enabled=false', '--set-json', 'config.TRUST_PROXY=2'],
      'config.TRUST_PROXY=2 is a hop count',
    ],
    [
      'a TRUST_PROXY hop count with spaces around it (the app trims them), with the NetworkPolicy off',
      ['--set', 'networkPolicy.enabled=false', '--set-string', 'config.TRUST_PROXY= 2 '],
      'config.TRUST_PROXY=2 is a hop count',
    ],
    [
      'a shutdown deadline shorter than the drain delay plus one request',
      ['--set-string', 'config.SHUTDOWN_TIMEOUT_MS=11000'],
      '= 12000 is not below config.SHUTDOWN_TIMEOUT_MS=11000',
    ],
    [
      'two listeners on one port (the app refuses it at start-up: helm.relations.spec.ts)',
      ['--set', 'ports.admin=8080'],
      'ports.admin=8080: ADMIN_PORT must differ from PORT (ports.http=8080)',
    ],
  ])('%s', async (_label, args, mentions) => {
    expect(await refusal(args)).toContain(mentions);
  });

  // The app reads '0' and 0 as off, like 'off', 'false' and '' (src/config/trust-proxy.field.ts).
  it.each([
    ['names the proxies', ['--set', 'config.TRUST_PROXY=10.0.0.0/8']],
    ["is '0' (off)", ['--set-string', 'config.TRUST_PROXY=0']],
    ['is the number 0 (off)', ['--set-json', 'config.TRUST_PROXY=0']],
    ["is 'off'", ['--set-string', 'config.TRUST_PROXY=off']],
    ["is 'false'", ['--set-string', 'config.TRUST_PROXY=false']],
  ])('accepts the NetworkPolicy off when TRUST_PROXY %s', async (_label, args) => {
    const run = await helm([
      'template',
      RELEASE,
      CHART_DIR,
      '--set',
      'networkPolicy.enabled=false',
      ...args,
    ]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).not.toContain('kind: NetworkPolicy');
  });
});
