/**
 * docs/helm.md's values table cannot drift from charts/rampart/values.yaml: every value is
 * documented (a row for it or for the section holding it), every row names a real value, and a
 * row's scalar default is the value's default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './manifests.js';
import { CHART_DIR } from './helm.render.js';

const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<
  string,
  unknown
>;
const docs = readFileSync(join(ROOT, 'docs', 'helm.md'), 'utf8');

/** The `## Values` table: path → default cell. */
const rows = new Map(
  [
    ...(docs.split(/^## Values$/m)[1]?.split(/^## /m)[0] ?? '').matchAll(
      /^\|\s*`([^`]+)`\s*\|([^|]*)\|/gm,
    ),
  ].map((m) => [m[1]!, m[2]!.trim()]),
);

const isSection = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0;

/** Dotted paths of every value, stopping where the table documents a whole section. */
function leaves(node: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(node).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isSection(value) && !rows.has(path) ? leaves(value, path) : [path];
  });
}

function valueAt(path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], values);
}

describe('docs/helm.md values table', () => {
  it('has rows to check', () => {
    expect(rows.size).toBeGreaterThan(50);
  });

  it('documents every value in values.yaml', () => {
    expect(leaves(values).filter((path) => !rows.has(path))).toEqual([]);
  });

  it('names only values that exist', () => {
    expect([...rows.keys()].filter((path) => valueAt(path) === undefined)).toEqual([]);
  });

  it("gives each scalar value's default as values.yaml has it", () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [path, cell] of rows) {
      const value = valueAt(path);
      const literal = /^`([^`]*)`$/.exec(cell)?.[1];
      if (literal === undefined || (typeof value === 'object' && value !== null)) continue;
      const expected = value === '' ? '""' : String(value);
      checked++;
      if (literal !== expected)
        wrong.push(`${path}: documented ${literal}, values.yaml ${expected}`);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });
});
