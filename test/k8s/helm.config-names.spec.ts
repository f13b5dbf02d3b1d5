/**
 * The chart's `config` accepts exactly the variables the app reads, less those the chart derives
 * or takes from Secrets: a name the app does not read (a typo) would render, and be ignored by
 * the app without a word. The schema's list is checked against the config schema itself, so a
 * variable added to src/config/ fails here until the chart knows it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.loader.js';
import { configSchema } from '../../src/config/config.schema.js';
import { CSS_COLOR_NAMES } from '../../src/config/css-color-names.js';
import { helm } from '../support/helm.js';
import { concurrencyLimit } from '../support/limit.js';
import { CHART_DIR, RELEASE } from './helm.render.js';

interface ConfigNames {
  enum: string[];
  not: { enum: string[] };
}

describe('values.schema.json config names', () => {
  const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
  const names = schema.properties.config.propertyNames as ConfigNames;
  const appReads = Object.keys(configSchema.shape);

  it('lists every variable the app reads that the chart does not derive, and nothing else', () => {
    const derived = new Set(names.not.enum);
    expect([...names.enum].sort()).toEqual(appReads.filter((name) => !derived.has(name)).sort());
  });

  it('derives or refuses only variables the app reads', () => {
    const unknown = names.not.enum.filter(
      (name) => !appReads.includes(name) && name !== 'NODE_OPTIONS',
    );
    expect(unknown).toEqual([]);
  });
});

/** What the app says of `value` for `name`: undefined when it starts, else its message. */
function appRefusal(name: string, value: string): string | undefined {
  try {
    loadConfig({ [name]: value });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('values.schema.json config values', () => {
  const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
  const props = schema.properties.config.properties as Record<string, JsonSchema>;
  const listed = Object.entries(props).flatMap(([name, rule]) =>
    [rule, ...(rule.oneOf ?? [])].flatMap((r) => (r.enum ?? []).map((v) => [name, v] as const)),
  );

  // A value the chart lets through must start the app; one the app refuses crash-loops the pods.
  it.each(listed)('%s=%s, allowed by the chart, starts the app', (name, value) => {
    expect(appRefusal(name, String(value))).toBeUndefined();
  });

  it.each(Object.keys(props).filter((name) => listed.some(([n]) => n === name)))(
    '%s=bogus is refused by the app, as by the chart',
    (name) => {
      expect(appRefusal(name, 'bogus')).toContain(name);
    },
  );

  // OTEL_EXPORTER_OTLP_PROTOCOL and the compressions had no enum: `bogus` rendered, and every
  // pod stopped at start (exit 78). The chart may keep one spelling of values the app reads in
  // any case (OpenTelemetry's), so the values are compared in lower case.
  it('holds as an enum every variable the app reads as one of a few values, with those values', () => {
    const allowed = new Set((schema.properties.config.propertyNames as ConfigNames).enum);
    const fromApp: Record<string, string[]> = {};
    const inChart: Record<string, string[]> = {};
    for (const [name, field] of Object.entries(configSchema.shape)) {
      const values = find(field, (def) => (def.type === 'enum' ? def.entries : undefined));
      if (values === undefined || !allowed.has(name)) continue;
      fromApp[name] = Object.values(values).map(String).sort();
      inChart[name] = listed
        .filter(([n]) => n === name)
        .map(([, v]) => String(v).toLowerCase())
        .sort();
    }
    expect(inChart).toEqual(fromApp);
  });

  it('UI_COLOR names the colours the app knows', () => {
    const names = (props.UI_COLOR?.anyOf ?? []).flatMap((rule) => rule.enum ?? []);
    expect([...names].sort()).toEqual([...CSS_COLOR_NAMES].sort());
  });
});

/**
 * Text values the schema holds to a pattern (values.schema.json), sampled on both sides of it:
 * each value the app refuses at start-up must be refused by `helm template` (the real Helm and
 * its schema validator), and each value the app accepts must render. Chart paths other than
 * `config.<NAME>` are given with the app's variable. The chart may stay looser where a cheap
 * pattern cannot follow the app (a ratio written `1e-1`): those are not sampled. TRUST_PROXY's
 * pattern is checked against the app over thousands of values in helm.trust-proxy.spec.ts; its
 * samples here prove Helm's validator reads it as JavaScript does.
 */
const PATTERN_SAMPLES: {
  name: string;
  chartPath?: string;
  accepted: string[];
  refused: string[];
}[] = [
  {
    name: 'ADMIN_TOKEN',
    chartPath: 'adminToken.token',
    accepted: ['0123456789abcdef', 'aGVsbG8td29ybGQtdG9rZW4h+/~._-==', ''],
    refused: ['short', 'abcdefgh ijklmnop', '=abcdefghijklmnop', 'é'.repeat(16)],
  },
  {
    name: 'REDIS_URL',
    accepted: ['redis://redis:6379', 'rediss://user:pw@redis:6380/1', 'REDIS://redis', ''],
    refused: ['http://redis:6379', ' redis://redis', 'redis://redis ', '   ', 'localhost:6379'],
  },
  ...['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'].map((name) => ({
    name,
    accepted: ['http://collector:4318', 'https://collector.example/otlp', ''],
    refused: ['grpc://collector:4317', 'collector:4318', 'http://collector ', ' '],
  })),
  // A base URL: /v1/traces is appended after a query or a fragment (src/config/otlp.config.ts).
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    accepted: ['HTTPS://collector:4318/otlp/'],
    refused: ['http://collector:4318?tenant=a', 'http://collector:4318/#x'],
  },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    accepted: ['https://ingest.example/v1/traces?tenant=a'],
    refused: [],
  },
  ...['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'].map((name) => ({
    name,
    accepted: ['api-key=abc', ' api-key=abc, x-tenant=acme ', 'authorization=Basic%20YWI=', ''],
    refused: ['api-key', 'api key=abc', '=abc', 'x=a%0d%0aX-Evil:%201', 'a=1,,b=2', ' '],
  })),
  // Up to OTEL_BSP_EXPORT_TIMEOUT (10000 by default) alone: the app refuses an export timeout
  // above the batch processor's wait, a relation between two settings, which the chart's
  // templates check (helm.relations.spec.ts), not its schema.
  {
    name: 'OTEL_EXPORTER_OTLP_TIMEOUT',
    accepted: ['5000', '10000'],
    refused: ['0', '600001', '5s'],
  },
  {
    name: 'NODE_ENV',
    accepted: ['production', 'development', 'test'],
    refused: ['Production', 'prod', ' '],
  },
  {
    name: 'CHAOS_ERROR_RATE',
    accepted: ['0', '0.05', '.5', '1', '1.0'],
    refused: ['1.5', '2', '-0.1', 'half', ' '],
  },
  {
    name: 'TRUST_PROXY',
    accepted: [
      '',
      'off',
      'OFF',
      'false',
      '0',
      '1',
      '10',
      ' 2 ',
      '10.0.0.0/8',
      '10.0.0.0/8, 192.168.1.7',
      'loopback,uniquelocal',
      'fd00::/8',
      '10.0.0.0/32',
      '2001:db8::/128',
      '::ffff:10.0.0.0/104',
    ],
    refused: [
      'true',
      '11',
      '   ',
      '10.0.0.0/0',
      'fe80::1%eth0',
      'proxy.local',
      '10.0.0.0/8,',
      '10.0.0.0/33',
      '10.0.0.0/8, 192.168.0.0/64',
      '2001:db8::/129',
      '::ffff:10.0.0.0/8',
      '256.0.0.1',
      '10.0.0',
    ],
  },
  // Blank is refused for every variable, and whitespace around a value for all but the lists.
  {
    name: 'UI_MESSAGE',
    accepted: ['hello', 'a b', 'two\nlines', 'x'.repeat(500)],
    refused: [' ', '\t', 'hello ', '\nhello', 'x'.repeat(501)],
  },
  {
    name: 'UI_COLOR',
    accepted: ['#336699', '#FFF', 'rebeccapurple', ''],
    refused: ['notacolour', '#12', '#33669', 'red;', ' red'],
  },
  {
    name: 'DB_APPLICATION_NAME',
    accepted: ['rampart canary/1', 'x'.repeat(63), ''],
    refused: ['rampart-é', 'x'.repeat(64), ' rampart', 'tab\there'],
  },
  {
    name: 'DEBUG_TOKEN',
    accepted: ['0123456789abcdef', 'aGVsbG8td29ybGQtdG9rZW4h+/~._-==', ''],
    refused: ['short', 'abcdefgh ijklmnop', '=abcdefghijklmnop', 'é'.repeat(16)],
  },
  { name: 'OTEL_SERVICE_NAME', accepted: ['payments'], refused: ['  ', 'payments '] },
  // helm.listen-host.spec.ts holds the rule to the app over hundreds of values; these prove
  // Helm's validator reads it alike.
  {
    name: 'HOST',
    accepted: ['127.0.0.1', '::', 'fe80::1%eth0', 'rampart.prod.svc.cluster.local', '', 'a.0xfg'],
    refused: ['127.0.0.1 ', ' ::', '0.0.0.0:8080', '[::1]', '127.1', 'my_host', '0x7f000001'],
  },
  { name: 'ADMIN_HOST', accepted: ['0.0.0.0', 'localhost.'], refused: ['0.0.0.0:9090', 'x.1'] },
  {
    name: 'BACKEND_URLS',
    accepted: ['http://a:1', ' http://a:1, http://b:2 ', '', 'HTTPS://gw/b/p@x'],
    refused: [
      ...[' ', ' , ', 'http://a:1,,http://b:2', 'http://a:1, ', ',http://a:1'],
      ...['http://user:pw@a:1', 'http://a:1/b?x=1', 'http://a:1#x', 'ftp://a:1', 'a:1'],
    ],
  },
  {
    name: 'UPSTREAM_PATH',
    accepted: ['/api/fanout', '/api/fanout?depth=2&a=b/c', '/a%2Fb', ''],
    refused: ['/api/fanout#x', '/a b', 'api', '/a%zz', ' /api', '/a{b}'],
  },
  {
    name: 'OTEL_PROPAGATORS',
    accepted: ['tracecontext', 'tracecontext, baggage ', 'none', 'b3multi,jaeger', ''],
    refused: ['tracecontext,', ' ,b3', 'tracecontext, ,b3', 'xray', 'none,b3', 'b3;jaeger'],
  },
  {
    name: 'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS',
    accepted: ['GET', ' GET, PROPFIND ,M-SEARCH', 'QUERY,QUERY', ''],
    refused: ['get', 'GET,', 'GET,,POST', 'FOO', '_OTHER', ' ', 'GET;POST', 'PUTS'],
  },
];

/**
 * Renders started at once: each `helm template` is ~0.2 s of CPU but ~0.5 s of wall time, most of
 * it the Go binary's start-up, so a few side by side take a fraction of the serial time.
 */
const RENDERS_AT_ONCE = 4;

describe('values.schema.json patterns agree with the app', () => {
  let dir: string;

  /** Whether `helm template` renders with the value set at `path` (a values file: no escaping). */
  async function chartAccepts(path: string, value: string): Promise<boolean> {
    const values: Record<string, unknown> = {};
    const keys = path.split('.');
    keys.reduce<Record<string, unknown>>(
      (node, key, i) => (node[key] = i === keys.length - 1 ? value : {}) as Record<string, unknown>,
      values,
    );
    // Named by a digest: a long value's hex would pass the file-name limit (255 bytes).
    const file = join(dir, `${path}-${createHash('sha256').update(value).digest('hex')}.json`);
    writeFileSync(file, JSON.stringify(values));
    const run = await helm(['template', RELEASE, CHART_DIR, '--values', file]);
    return run.status === 0;
  }

  const cases = PATTERN_SAMPLES.flatMap(({ name, chartPath, accepted, refused }) => [
    ...accepted.map((value) => [name, chartPath ?? `config.${name}`, value, true] as const),
    ...refused.map((value) => [name, chartPath ?? `config.${name}`, value, false] as const),
  ]);

  // Every sample's render is queued before the first test, a few running at a time (a render per
  // sample still: none can mask another's refusal); each test awaits its own sample's verdict.
  const verdicts = new Map<string, Promise<boolean>>();
  const verdict = (path: string, value: string) => verdicts.get(`${path}\n${value}`)!;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-schema-'));
    const limited = concurrencyLimit(RENDERS_AT_ONCE);
    for (const [, path, value] of cases) {
      const key = `${path}\n${value}`;
      if (verdicts.has(key)) continue;
      const accepts = limited(() => chartAccepts(path, value));
      accepts.catch(() => undefined); // reported by the sample's own test, which awaits it
      verdicts.set(key, accepts);
    }
  });
  afterAll(async () => {
    await Promise.allSettled(verdicts.values()); // a failed test may not have awaited its render
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases)(
    '%s: %s=%j, the app starts: %s; the chart agrees',
    async (name, path, value, starts) => {
      expect(appRefusal(name, value) === undefined).toBe(starts);
      expect({ path, value, chartAccepts: await verdict(path, value) }).toEqual({
        path,
        value,
        chartAccepts: starts,
      });
    },
  );
});

describe('files/config-bounds.json', () => {
  // Bounds the chart's template checks whole-number settings against (_helpers.tpl).
  const bounds = JSON.parse(readFileSync(join(CHART_DIR, 'files/config-bounds.json'), 'utf8'));

  it('holds the bounds of every whole-number variable the chart passes, as src/config/ has them', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const allowed = new Set((schema.properties.config.propertyNames as ConfigNames).enum);
    const fromApp: Record<string, [number, number]> = {};
    for (const [name, field] of Object.entries(configSchema.shape)) {
      const range = boundsOf(field);
      if (range && allowed.has(name)) fromApp[name] = range;
    }
    expect(bounds).toEqual(fromApp);
  });

  // values.schema.json typed DB_POOL_MAX, REQUEST_TIMEOUT_MS and the shutdown and keep-alive
  // timeouts as integers from 0 with no ceiling, where the app takes 1-1000, 1-3600000, …: an
  // editor validating values against the schema passed `DB_POOL_MAX: 0`, which every pod refuses.
  it("gives each whole number values.schema.json types as an integer the app's bounds", () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const props = schema.properties.config.properties as Record<string, JsonSchema>;
    const typed: Record<string, [number | undefined, number | undefined]> = {};
    const expected: Record<string, [number, number]> = {};
    for (const [name, rule] of Object.entries(props)) {
      const integer = [rule, ...(rule.oneOf ?? []), ...(rule.anyOf ?? [])].find(
        (r) => r.type === 'integer',
      );
      if (integer === undefined || bounds[name] === undefined) continue;
      typed[name] = [integer.minimum, integer.maximum];
      expected[name] = bounds[name];
    }
    expect(Object.keys(typed).length).toBeGreaterThan(0);
    expect(typed).toEqual(expected);
  });
});

/**
 * The minimum and maximum config.fields.ts's int() records, under any wrapper: default(),
 * optional() and the pipes of preprocess() and pipe(). Read through default() alone, the OTLP
 * timeouts (`unsetIfEmpty(int(1, 600_000))`, a preprocess) had no bounds here, and the chart
 * passed `OTEL_EXPORTER_OTLP_TIMEOUT: 0`, which the app refuses.
 */
function boundsOf(field: unknown): [number, number] | undefined {
  return find(field, (_def, schema) => {
    const meta = schema.meta?.() as { minimum?: number; maximum?: number } | undefined;
    return meta?.minimum !== undefined && meta.maximum !== undefined
      ? ([meta.minimum, meta.maximum] as [number, number])
      : undefined;
  });
}

/** The first of `field` and the schemas it wraps (depth first) for which `pick` says something. */
function find<T>(
  field: unknown,
  pick: (def: ZodDef, schema: ZodLike) => T | undefined,
  depth = 0,
): T | undefined {
  const schema = field as ZodLike | undefined;
  const def = schema?._zod?.def;
  if (schema === undefined || def === undefined || depth > 8) return undefined;
  const found = pick(def, schema);
  if (found !== undefined) return found;
  for (const inner of [def.innerType, def.in, def.out]) {
    const below = find(inner, pick, depth + 1);
    if (below !== undefined) return below;
  }
  return undefined;
}

interface ZodDef {
  type?: string;
  entries?: Record<string, string | number>;
  innerType?: ZodLike;
  in?: ZodLike;
  out?: ZodLike;
}

interface ZodLike {
  meta?: () => unknown;
  _zod?: { def?: ZodDef };
}

interface JsonSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}
