import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/child-process.js';

/** Languages of the fenced blocks a reader pastes into a shell. */
const SHELL = new Set(['sh', 'bash', 'shell', 'console']);
/** The comment that exempts the next shell block, with its reason: `<!-- not run: why -->`. */
const NOT_RUN = /^<!--\s*not run:\s*(\S.*?)\s*-->$/;
const FENCE = /^```(\S*)\s*$/;

/** One shell block of a document, with the output shown right after it (a ```text block). */
export interface ShellBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  output?: string;
  /** Why it is not run, from the comment above it. */
  notRun?: string;
}

/** The README and every page under docs/, relative to the repository root. */
export function documents(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** The shell blocks of one document, each paired with the ```text block that follows it. */
export function shellBlocks(file: string): ShellBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const fenced: { lang: string; line: number; body: string; before: string; after: number }[] = [];
  let previous = '';
  for (let i = 0; i < lines.length; i += 1) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) {
      previous = lines[i]?.trim() || previous;
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i += 1) {
      body.push(lines[i] ?? '');
    }
    fenced.push({
      lang: open[1] ?? '',
      line: start + 1,
      body: body.join('\n'),
      before: previous,
      after: i,
    });
    previous = '';
  }
  const blocks: ShellBlock[] = [];
  fenced.forEach((block, index) => {
    if (!SHELL.has(block.lang)) return;
    const next = fenced[index + 1];
    const adjacent =
      next?.lang === 'text' &&
      lines.slice(block.after + 1, next.line - 1).every((line) => !line.trim());
    blocks.push({
      file,
      line: block.line,
      code: block.body,
      output: adjacent ? next.body : undefined,
      notRun: NOT_RUN.exec(block.before)?.[1],
    });
  });
  return blocks;
}

/**
 * What may differ between two runs of the same commands: generated ids, trace ids, clocks and
 * measured durations (any decimal number; not dotted versions or addresses). Integers, codes,
 * names and the order of lines stay.
 */
export function normalise(text: string): string[] {
  return text
    .replace(/\s+$/, '')
    .split('\n')
    .map((line) =>
      line
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>')
        .replace(/\b[0-9a-f]{32}\b|\b[0-9a-f]{16}\b/g, '<hex>')
        .replace(/(?<![\d.])\d+\.\d+(?:e[-+]?\d+)?(?![\d.])/g, '<n>'),
    );
}

/**
 * The actual output with each line that matches the shown one replaced by it, so a test's
 * `toEqual` shows only the lines that differ. A shown line may hold `…`, matching anything.
 */
export function alignOutput(shown: string, actual: string): { shown: string[]; actual: string[] } {
  const expected = normalise(shown);
  const got = normalise(actual);
  return {
    shown: expected,
    actual: got.map((line, i) =>
      expected[i] !== undefined && matches(expected[i], line) ? expected[i] : line,
    ),
  };
}

function matches(shown: string, line: string): boolean {
  if (!shown.includes('…')) return shown === line;
  const pattern = shown
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(line);
}
