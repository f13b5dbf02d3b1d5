/**
 * Values that put each rule of src/config/config.relations.ts at its boundary, as chart values
 * and as the environment the container then sees (values.yaml's `config` and `ports` with the
 * sample over them): helm.relations.spec.ts hands the one to Helm and the other to the app's
 * config loader. Derived from the rule itself, so a rule added to the app is sampled unasked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Related, Relation } from '../../src/config/config.relations.js';
import { configSchema } from '../../src/config/config.schema.js';
import { CHART_DIR } from './helm.render.js';

/** The variables the chart writes from `ports`, by their key there. */
const PORT_KEYS: Partial<Record<string, string>> = {
  PORT: 'http',
  ADMIN_PORT: 'admin',
  PROBE_PORT: 'probes',
};

const readJson = (file: string) => JSON.parse(readFileSync(join(CHART_DIR, file), 'utf8'));
const schema = readJson('values.schema.json');
const bounds = readJson('files/config-bounds.json') as Record<string, [number, number]>;
const chartDefaults = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as {
  config: Record<string, unknown>;
  ports: Record<string, number>;
};

/** Variable → its value, or null to leave it out of the ConfigMap (the app's default applies). */
export type Sample = Partial<Record<Related, number | null>>;

export interface RelationSample {
  label: string;
  set: Sample;
  /** The variable the app must name: the sample breaks the rule. */
  names?: Related;
}

/** Where the chart takes `name` from: `ports.http`, or `config.<NAME>`. */
export const pathOf = (name: string): string =>
  PORT_KEYS[name] === undefined ? `config.${name}` : `ports.${PORT_KEYS[name]}`;

/** The app's default of `name`; undefined when it has none. */
export function appDefault(name: Related): number | undefined {
  return (configSchema.shape[name] as { parse(v: unknown): number | undefined }).parse(undefined);
}

/** The least value the chart lets `name` take: the schema's for a port, else the app's bound. */
function lowest(name: Related): number {
  const key = PORT_KEYS[name];
  return key === undefined ? bounds[name]![0] : schema.properties.ports.properties[key].minimum;
}

/** Whether values can leave `name` unset: not a port, not a key the schema requires. */
const canUnset = (name: Related): boolean =>
  PORT_KEYS[name] === undefined && !schema.properties.config.required.includes(name);

/** [variable, other] just past the rule, and just within it, for each pairwise comparison. */
const PAIRS = {
  '<=': { broken: [1, 0], held: [0, 0] },
  '<': { broken: [0, 0], held: [0, 1] },
  '>': { broken: [0, 0], held: [1, 0] },
  '!=': { broken: [0, 0], held: [0, 1] },
} as const;

/** The samples of one rule: broken, held at its boundary, each exemption, and broken from the
 * other side alone (the variable left at the app's default), where values can say so. */
export function samplesOf(relation: Relation): RelationSample[] {
  const { variable, holds, others, unlessZero, unlessSet } = relation;
  const at = Math.max(...[variable, ...others].map(lowest), unlessZero === true ? 1 : 0);
  const fallback = appDefault(variable);
  const unsettable = canUnset(variable) && fallback !== undefined;
  if (holds === 'within') {
    const [low, high] = others as [Related, Related];
    return [
      {
        label: 'above its high bound',
        set: { [variable]: at + 1, [low]: at, [high]: at },
        names: variable,
      },
      {
        label: 'below its low bound',
        set: { [variable]: at, [low]: at + 1, [high]: at + 1 },
        names: variable,
      },
      { label: 'at both bounds', set: { [variable]: at, [low]: at, [high]: at } },
      ...(unsettable
        ? [
            {
              label: `${variable} unset, ${low} above it`,
              set: { [variable]: null, [low]: fallback + 1 },
              names: low,
            },
            {
              label: `${variable} unset, ${high} below it`,
              set: { [variable]: null, [high]: fallback - 1 },
              names: high,
            },
          ]
        : []),
    ];
  }
  const [other] = others as [Related];
  const { broken, held } = PAIRS[holds];
  const samples: RelationSample[] = [
    {
      label: 'broken',
      set: { [variable]: at + broken[0], [other]: at + broken[1] },
      names: variable,
    },
    { label: 'held at the boundary', set: { [variable]: at + held[0], [other]: at + held[1] } },
  ];
  if (unlessZero === true && lowest(variable) === 0 && lowest(other) === 0) {
    samples.push({ label: `${variable} 0 (none)`, set: { [variable]: 0, [other]: at } });
    samples.push({ label: `${other} 0 (none)`, set: { [variable]: at, [other]: 0 } });
  }
  if (unlessSet !== undefined) {
    const set = { [variable]: at + broken[0], [other]: at + broken[1], [unlessSet]: at };
    samples.push({ label: `broken, but ${unlessSet} is set and in effect instead`, set });
  }
  // The other side alone breaks it against the variable's default: the app names the other.
  const alone = fallback === undefined ? undefined : fallback + broken[1] - broken[0];
  if (unsettable && alone !== undefined && alone >= lowest(other)) {
    const set = { [variable]: null, [other]: alone };
    samples.push({ label: `${variable} unset, ${other} alone breaks it`, set, names: other });
  }
  return samples;
}

/** The environment the container sees with `set` over the chart's default values. */
export function envOf(set: Sample): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(chartDefaults.config)) {
    if (value !== null && value !== undefined) env[name] = String(value);
  }
  for (const [name, key] of Object.entries(PORT_KEYS))
    env[name] = String(chartDefaults.ports[key!]);
  for (const [name, value] of Object.entries(set)) {
    if (value === null) delete env[name];
    else env[name] = String(value);
  }
  return env;
}

/**
 * `set` as chart values: `ports.<key>` as a number, `config.<NAME>` as text. Unset is null for a
 * key values.yaml holds (Helm drops it), nothing for another (the schema refuses a null there).
 */
export function valuesOf(set: Sample): object {
  const config: Record<string, string | null> = {};
  const ports: Record<string, number> = {};
  for (const [name, value] of Object.entries(set)) {
    const key = PORT_KEYS[name];
    if (key !== undefined) ports[key] = value!;
    else if (value !== null) config[name] = String(value);
    else if (name in chartDefaults.config) config[name] = null;
  }
  return { config, ports };
}
