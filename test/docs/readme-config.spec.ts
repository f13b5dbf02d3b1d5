import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { configKeys, configSchema } from '../../src/config/config.schema.js';
import { ROOT } from '../support/child-process.js';

// The configuration table lives in docs/configuration.md (the README links it). Both ways: every
// knob of the schema has a row, and every variable a row names is a knob the schema parses
// (a renamed or removed variable must not linger in the table).
const TABLE = 'docs/configuration.md';

/** The variables named in the first cell of each table row (a cell may list several). */
function documentedVariables(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|')[1] ?? '')
    .flatMap((cell) => [...cell.matchAll(/`([A-Za-z0-9_]+)`/g)].map((match) => match[1] ?? ''));
}

/** What the default column gives each variable of a row: its value as written, or unset. */
type DocumentedDefault = { value: string } | 'unset' | 'prose';

/**
 * Each variable of each row with its default cell: `—` is unset; one code span is every
 * variable's default, or one span per variable, in order (`50`, `1000`); else the cell is prose.
 */
function documentedDefaults(markdown: string): Map<string, DocumentedDefault> {
  const defaults = new Map<string, DocumentedDefault>();
  for (const line of markdown.split('\n').filter((l) => l.startsWith('|'))) {
    const [, nameCell = '', defaultCell = ''] = line.split('|');
    const names = [...nameCell.matchAll(/`([A-Za-z0-9_]+)`/g)].map((match) => match[1] ?? '');
    const spans = [...defaultCell.matchAll(/`([^`]*)`/g)].map((match) => match[1] ?? '');
    names.forEach((name, i) => {
      const span =
        spans.length === names.length ? spans[i] : spans.length === 1 ? spans[0] : undefined;
      defaults.set(
        name,
        defaultCell.trim() === '—' ? 'unset' : span === undefined ? 'prose' : { value: span },
      );
    });
  }
  return defaults;
}

/** RFC 9110's methods (§9.3), with PATCH (RFC 5789) and QUERY: the row says it in words. */
const KNOWN_METHODS_DEFAULT = 'CONNECT,DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT,QUERY,TRACE';

describe(`configuration table (${TABLE})`, () => {
  const documented = documentedVariables(readFileSync(`${ROOT}/${TABLE}`, 'utf8'));
  const knobs = configKeys();

  it.each(knobs)('documents %s', (key) => {
    expect(documented).toContain(key);
  });

  it('names no variable the configuration schema does not parse', () => {
    expect(documented.filter((name) => !knobs.includes(name))).toEqual([]);
  });

  it('has one row per variable', () => {
    expect(documented.filter((name, i) => documented.indexOf(name) !== i)).toEqual([]);
  });

  // A default changed in src/config/ and not here (or the other way) told operators a value the
  // service does not run with. The documented default, read as that variable, must give what
  // leaving it unset gives (`off` and `false` are both TRUST_PROXY off).
  describe('gives each variable the default the schema has', () => {
    const defaults = documentedDefaults(readFileSync(`${ROOT}/${TABLE}`, 'utf8'));
    const shape = configSchema.shape as Record<string, { parse(v: unknown): unknown }>;

    it.each(knobs)('%s', (key) => {
      const unset = shape[key]!.parse(undefined);
      const documented = defaults.get(key)!;
      if (documented === 'unset') {
        expect({ key, unset }).toEqual({ key, unset: Array.isArray(unset) ? [] : undefined });
      } else if (documented === 'prose') {
        expect({ key, unset }).toEqual({
          key: 'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS',
          unset: shape[key]!.parse(KNOWN_METHODS_DEFAULT),
        });
      } else {
        const read = shape[key]!.parse(documented.value);
        expect({ key, documented: documented.value, same: isDeepStrictEqual(read, unset) }).toEqual(
          {
            key,
            documented: documented.value,
            same: true,
          },
        );
      }
    });
  });

  it('reads a row of two variables with one default each, or one for both', () => {
    const sample =
      '| `A_MS`, `B_MS` | `50`, `1000` | x |\n| `C`, `D` | `0` | y |\n| `E` | — | z |\n';
    expect([...documentedDefaults(sample)]).toEqual([
      ['A_MS', { value: '50' }],
      ['B_MS', { value: '1000' }],
      ['C', { value: '0' }],
      ['D', { value: '0' }],
      ['E', 'unset'],
    ]);
  });

  it('reads the rows it checks (a variable in a non-first cell is not a row)', () => {
    const sample = '| `A_KNOB`, `B_KNOB` | `1` | uses `NOT_A_ROW` |\n| --- | --- | --- |\n';
    expect(documentedVariables(sample)).toEqual(['A_KNOB', 'B_KNOB']);
  });
});
