/** One sample line of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its # TYPE, # HELP and samples. */
export interface Family {
  type: string;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/;
const LABEL_PAIR = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
// In the 0.0.4 text format a counter's family name already carries its _total.
const SUFFIXES: Record<string, string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, used when promtool is not
 * installed and as a second opinion when it is: every rule it checks throws with the line.
 * Checks: name and label syntax, escaping, numeric values, HELP/TYPE before samples, sample
 * names matching their family's type (counters end in _total, gauges do not), no duplicate
 * series, histogram buckets cumulative with `le` and a +Inf bucket equal to _count.
 */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const [i, line] of text.split('\n').entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue; // other comments are allowed
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
      const family = families.get(name) ?? { type: 'untyped', samples: [] };
      if (kind === 'TYPE') {
        if (!(rest in SUFFIXES)) throw new Error(`unknown type, ${where}`);
        if (family.samples.length) throw new Error(`TYPE after samples, ${where}`);
        family.type = rest;
      } else {
        if (!rest) throw new Error(`empty HELP, ${where}`);
        family.help = rest;
      }
      families.set(name, family);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample, ${where}`);
    const [, name, , rawLabels, rawValue] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const labels = parseLabels(rawLabels ?? '', where);
    const value = parseValue(rawValue, where);
    const family = familyOf(families, name, where);
    family.samples.push({ name, labels, value });
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series, ${where}`);
    seen.add(key);
  }
  for (const [name, family] of families) {
    if (!family.help) throw new Error(`${name}: no HELP`);
    if (family.type !== 'counter' && name.endsWith('_total')) {
      throw new Error(`${name}: non-counter named _total`);
    }
    if (family.type === 'counter' && !name.endsWith('_total')) {
      throw new Error(`${name}: counter not named _total`);
    }
    if (family.type === 'histogram') checkHistogram(name, family);
  }
  return families;
}

function parseLabels(raw: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = raw;
  while (rest.length) {
    const m = LABEL_PAIR.exec(rest);
    if (!m || !LABEL.test(m[1] as string)) throw new Error(`bad labels, ${where}`);
    if ((m[1] as string) in labels) throw new Error(`repeated label, ${where}`);
    labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

function parseValue(raw: string, where: string): number {
  // Prometheus parses values with Go's strconv.ParseFloat: Inf/NaN in any case (prom-client
  // writes "Nan" for an empty event-loop histogram).
  if (/^\+?inf$/i.test(raw)) return Infinity;
  if (/^-inf$/i.test(raw)) return -Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`bad value, ${where}`);
  return Number(raw);
}

function familyOf(families: Map<string, Family>, sample: string, where: string): Family {
  for (const [name, family] of families) {
    if (SUFFIXES[family.type]?.some((suffix) => `${name}${suffix}` === sample)) return family;
  }
  throw new Error(`sample without a matching # TYPE family, ${where}`);
}

function checkHistogram(name: string, family: Family): void {
  const series = new Map<string, Sample[]>();
  const counts = new Map<string, number>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${name}: bucket without le`);
      series.set(key, [...(series.get(key) ?? []), s]);
    } else if (s.name.endsWith('_count')) counts.set(key, s.value);
  }
  for (const [key, buckets] of series) {
    const sorted = [...buckets].sort(
      (a, b) => parseValue(a.labels.le!, '') - parseValue(b.labels.le!, ''),
    );
    if (sorted.at(-1)?.labels.le !== '+Inf') throw new Error(`${name}${key}: no +Inf bucket`);
    sorted.reduce((prev, b) => {
      if (b.value < prev) throw new Error(`${name}${key}: buckets not cumulative`);
      return b.value;
    }, 0);
    if (sorted.at(-1)?.value !== counts.get(key)) throw new Error(`${name}${key}: +Inf != _count`);
  }
}

/** Value of one series (labels must match exactly the given subset), or undefined. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
