import { readFileSync } from 'node:fs';
import { configKeys } from '../../src/config/config.schema.js';
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

  it('reads the rows it checks (a variable in a non-first cell is not a row)', () => {
    const sample = '| `A_KNOB`, `B_KNOB` | `1` | uses `NOT_A_ROW` |\n| --- | --- | --- |\n';
    expect(documentedVariables(sample)).toEqual(['A_KNOB', 'B_KNOB']);
  });
});
