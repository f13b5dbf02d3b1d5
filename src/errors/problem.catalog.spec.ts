import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEM_CATALOG } from './problem.catalog.js';

const SRC = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Codes as the sources raise them: `super('CODE', 404`, `new AppError('CODE', 404`, `code: 'CODE'`,
 * and the probe thread's `problem(404, 'CODE'` (health/probe.worker.ts and the probe.*.ts it
 * splices in, code held in a string).
 */
function raisedCodes(text: string): Array<{ code: string; status?: number }> {
  const found: Array<{ code: string; status?: number }> = [];
  for (const m of text.matchAll(/(?:super|new AppError)\(\s*'([A-Z][A-Z0-9_]+)',\s*(\d{3})?/g)) {
    found.push({ code: m[1]!, status: m[2] === undefined ? undefined : Number(m[2]) });
  }
  for (const m of text.matchAll(/\bcode: '([A-Z][A-Z0-9_]+)'/g)) found.push({ code: m[1]! });
  for (const m of text.matchAll(/\bproblem\((\d{3}), '([A-Z][A-Z0-9_]+)'/g)) {
    found.push({ code: m[2]!, status: Number(m[1]) });
  }
  for (const m of text.matchAll(/InvalidInputError\([^;]*?, '([A-Z][A-Z0-9_]+)'\)/g)) {
    found.push({ code: m[1]!, status: 400 });
  }
  // problem.ts's maps for Fastify's and Nest's own errors: `404: 'NOT_FOUND'`, `FST_…: 'CODE'`.
  for (const m of text.matchAll(/^ {2}(\d{3}): '([A-Z][A-Z0-9_]+)',$/gm)) {
    found.push({ code: m[2]!, status: Number(m[1]) });
  }
  for (const m of text.matchAll(/^ {2}FST_\w+: '([A-Z][A-Z0-9_]+)',$/gm))
    found.push({ code: m[1]! });
  return found;
}

describe('the problem catalog lists every code the sources raise, at its status', () => {
  const raised = sources(SRC).flatMap((file) =>
    raisedCodes(readFileSync(file, 'utf8')).map((r) => ({ ...r, file: file.slice(SRC.length) })),
  );

  it('finds the codes it looks for (the scan itself works)', () => {
    expect(raised.map((r) => r.code)).toEqual(
      expect.arrayContaining([
        'ITEM_NOT_FOUND',
        'DB_POOL_TIMEOUT',
        'INVALID_REQUEST_TIMEOUT',
        // The probe thread's own (EVENT_LOOP_STALLED was missing from the catalog and the docs).
        'EVENT_LOOP_STALLED',
      ]),
    );
  });

  it('every raised code is in the catalog with the same status', () => {
    const wrong = raised.filter(({ code, status }) => {
      const entry = (PROBLEM_CATALOG as Record<string, { status: number | 'any' }>)[code];
      return entry === undefined || (status !== undefined && entry.status !== status);
    });
    expect(wrong).toEqual([]);
  });
});
