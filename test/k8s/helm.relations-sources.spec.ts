/**
 * The chart's relation checks (templates/_relations.tpl) read each value where the container will
 * get it: `config`, `ports`, an `extraEnv` entry's `value`, or the app's default; a `valueFrom`
 * the chart cannot read is left to the app. helm.relations.spec.ts holds every rule to the app;
 * this pins the messages, the sources and the documented values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR } from './helm.render.js';
import { refusalOf, renderValues } from './helm.values-render.js';
import { ROOT } from './manifests.js';

const fromConfigMap = (key: string) => ({ configMapKeyRef: { name: 'settings', key } });

/** Whether `values` render, with Helm's refusal beside the verdict when they do not. */
async function renders(values: object) {
  const { refused } = await renderValues(values);
  return { values, refused: refused ?? null };
}

describe('a contradiction fails the render, naming the value path and the variable', () => {
  it('ADMISSION_MIN_LIMIT above the app default of ADMISSION_MAX_LIMIT (the pods exited 78)', async () => {
    const message = await refusalOf({ config: { ADMISSION_MIN_LIMIT: '2000' } });
    expect(message).toContain(
      'values the app refuses together at start-up (every pod would exit 78; ' +
        'src/config/config.relations.ts):\n' +
        '  config.ADMISSION_MIN_LIMIT=2000: ADMISSION_MIN_LIMIT must not exceed ' +
        "ADMISSION_MAX_LIMIT (the app's default 1000, config.ADMISSION_MAX_LIMIT unset)",
    );
  });

  it('lists every problem in one refusal, as the app does at start-up', async () => {
    const message = await refusalOf({
      ports: { admin: 8080 },
      config: { HELLO_DELAY_MS: '40000', DB_QUERY_TIMEOUT_MS: '5000' },
    });
    expect(message).toContain(
      '  ports.admin=8080: ADMIN_PORT must differ from PORT (ports.http=8080)',
    );
    expect(message).toContain('  config.HELLO_DELAY_MS=40000: HELLO_DELAY_MS must not exceed');
    expect(message).toContain(
      '  config.DB_QUERY_TIMEOUT_MS=5000: DB_QUERY_TIMEOUT_MS must exceed DB_STATEMENT_TIMEOUT_MS ' +
        '(config.DB_STATEMENT_TIMEOUT_MS=5000), or be 0',
    );
  });

  it("names the setting you set when the other is the app's default", async () => {
    const message = await refusalOf({ config: { ADMISSION_MAX_LIMIT: '50' } });
    expect(message).toContain(
      '  config.ADMISSION_MAX_LIMIT=50: ADMISSION_MAX_LIMIT must not be below ' +
        "ADMISSION_INITIAL_LIMIT (the app's default 100, config.ADMISSION_INITIAL_LIMIT unset)",
    );
  });
});

describe('an extraEnv entry is compared as the container will read it', () => {
  it('a value counts, named as the extraEnv entry', async () => {
    const message = await refusalOf({
      config: { HELLO_DELAY_MS: '500' },
      extraEnv: [{ name: 'HELLO_MAX_DELAY_MS', value: '100' }],
    });
    expect(message).toContain(
      '  config.HELLO_DELAY_MS=500: HELLO_DELAY_MS must not exceed HELLO_MAX_DELAY_MS ' +
        '(extraEnv HELLO_MAX_DELAY_MS=100)',
    );
  });

  // The chart cannot read a Secret or a cluster ConfigMap: the app checks the pair at start-up.
  it('a valueFrom is not compared: the pair renders', async () => {
    const values = {
      config: { HELLO_DELAY_MS: '500000' },
      extraEnv: [{ name: 'HELLO_MAX_DELAY_MS', valueFrom: fromConfigMap('max-delay') }],
    };
    expect(await renders(values)).toEqual({ values, refused: null });
  });

  it('the traces timeout from a valueFrom may be the one in effect: the generic one is not compared', async () => {
    const values = {
      config: { OTEL_EXPORTER_OTLP_TIMEOUT: '30000' },
      extraEnv: [
        { name: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', valueFrom: fromConfigMap('traces-timeout') },
      ],
    };
    expect(await renders(values)).toEqual({ values, refused: null });
  });

  it('the traces timeout set within the wait: the generic one above it renders', async () => {
    const values = {
      config: { OTEL_EXPORTER_OTLP_TIMEOUT: '30000', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '5000' },
    };
    expect(await renders(values)).toEqual({ values, refused: null });
  });
});

describe('the documented values render', () => {
  const chartKeys = Object.keys(
    parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>,
  );
  // docs/helm.md's YAML blocks of chart values (a fence indented in a list item included).
  const page = readFileSync(join(ROOT, 'docs', 'helm.md'), 'utf8');
  const blocks = [...page.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)]
    .map(([, indent, body]) => body!.replace(new RegExp(`^${indent}`, 'gm'), ''))
    .map((body) => parse(body) as Record<string, unknown>)
    .filter((doc) => Object.keys(doc).every((key) => chartKeys.includes(key)));

  it('finds the values blocks: extraEnv, the admission limits, resource attributes', () => {
    expect(blocks.map((doc) => Object.keys(doc).sort())).toEqual([
      ['config', 'extraEnv'],
      ['config'],
      ['telemetry'],
    ]);
  });

  it.each(blocks)('%j', async (values) => {
    expect(await renders(values)).toEqual({ values, refused: null });
  });
});
