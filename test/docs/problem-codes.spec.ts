/**
 * Clients switch on a problem's `code`, so each one the service can answer (the catalog, which
 * problem.catalog.spec.ts holds to the sources) is documented somewhere in docs/ by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEM_CATALOG } from '../../src/errors/problem.catalog.js';
import { ROOT } from '../support/child-process.js';

describe('every problem code is documented', () => {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))
    .join('\n');

  it('names each code of the catalog, in backticks, in some doc', () => {
    const missing = Object.keys(PROBLEM_CATALOG).filter((code) => !docs.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
