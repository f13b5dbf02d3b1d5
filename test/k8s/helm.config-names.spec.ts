/**
 * The chart's `config` accepts exactly the variables the app reads, less those the chart derives
 * or takes from Secrets: a name the app does not read (a typo) would render, and be ignored by
 * the app without a word. The schema's list is checked against the config schema itself, so a
 * variable added to src/config/ fails here until the chart knows it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.loader.js';
import { configSchema } from '../../src/config/config.schema.js';
import { CHART_DIR } from './helm.render.js';

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
});

/** The minimum and maximum config.fields.ts's int() records, under any default() wrapper. */
function boundsOf(field: unknown): [number, number] | undefined {
  let current = field as ZodLike | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    const meta = current.meta?.() as { minimum?: number; maximum?: number } | undefined;
    if (meta?.minimum !== undefined && meta.maximum !== undefined) {
      return [meta.minimum, meta.maximum];
    }
    current = current._zod?.def?.innerType;
  }
  return undefined;
}

interface ZodLike {
  meta?: () => unknown;
  _zod?: { def?: { innerType?: ZodLike } };
}

interface JsonSchema {
  enum?: unknown[];
  oneOf?: JsonSchema[];
}
