import { decode, encode } from '@jridgewell/sourcemap-codec';
import { transform } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';
import { StackTraceMapper } from './stack-trace.mapper.js';

// A generated file and its map, as the bundle has them: TypeScript compiled by esbuild, run
// under its file: URL so V8's frames name it the way they name the bundle's chunks.
const SOURCE = `export class Widget {
  make(): Error {
    return new Error('made');
  }
}
export function boom(): Error {
  return new Widget().make();
}
`;

interface Generated {
  boom: () => Error;
}

interface Map3 {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
}

/** A map in stack-maps.json's form: pages of `pageLines` generated lines, each a map of its own. */
function paged(map: Map3, pageLines = 1_000) {
  const lines = decode(map.mappings);
  const pages: (string | null)[] = [];
  for (let first = 0; first < lines.length; first += pageLines) {
    const page = lines.slice(first, first + pageLines);
    pages.push(page.some((line) => line.length > 0) ? encode(page) : null);
  }
  return { sources: map.sources, names: map.names, pageLines, pages };
}

// The process's own Error (jest runs each spec in a context of its own): the generated script and
// Node's built-ins make their errors there, so V8 asks this one's prepareStackTrace.
const ProcessError = runInThisContext('Error') as ErrorConstructor;

/** The error `make` returns or throws, with the CallSites V8 hands to prepareStackTrace. */
function framesOf(make: () => unknown): { error: Error; frames: NodeJS.CallSite[] } {
  const saved = ProcessError.prepareStackTrace;
  let captured: { error: Error; frames: NodeJS.CallSite[] } | undefined;
  ProcessError.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
    captured = { error, frames };
    return '';
  };
  try {
    const made = make() as Error;
    void made.stack;
  } catch (thrown) {
    void (thrown as Error).stack;
  } finally {
    ProcessError.prepareStackTrace = saved;
  }
  return captured!;
}

describe('StackTraceMapper', () => {
  let dir: string;
  let mapsFile: URL;
  let map: Map3;
  let generated: Generated;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stack-maps-'));
    mapsFile = pathToFileURL(join(dir, 'stack-maps.json'));
    const out = await transform(SOURCE, {
      loader: 'ts',
      format: 'iife',
      globalName: 'generatedForStackTraceMapperSpec',
      sourcemap: 'external',
      sourcefile: 'widget.ts',
    });
    map = JSON.parse(out.map) as typeof map;
    const script = `${out.code}\ngeneratedForStackTraceMapperSpec`;
    generated = runInThisContext(script, {
      filename: pathToFileURL(join(dir, 'widget.js')).href,
    }) as Generated;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("maps a frame to its .ts line and keeps V8's text around it", () => {
    writeFileSync(mapsFile, JSON.stringify({ 'widget.js': paged(map) }));
    const { error, frames } = framesOf(() => generated.boom());
    const stack = new StackTraceMapper(mapsFile).format(error, frames).split('\n');
    expect(stack[0]).toBe('Error: made');
    expect(stack[1]).toBe(`    at Widget.make (${join(dir, 'widget.ts')}:3:12)`);
    // Called as a method of the script's global object, which V8 names `Object`.
    expect(stack[2]).toMatch(/^ {4}at Object\.boom \(\/\S+\/widget\.ts:7:\d+\)$/);
  });

  it('finds a frame on a later page, at its line in the file', () => {
    // Pages of four lines: `make` is on the first page, `boom` (line 7) on the second.
    writeFileSync(mapsFile, JSON.stringify({ 'widget.js': paged(map, 4) }));
    const { error, frames } = framesOf(() => generated.boom());
    const stack = new StackTraceMapper(mapsFile).format(error, frames).split('\n');
    expect(stack[1]).toBe(`    at Widget.make (${join(dir, 'widget.ts')}:3:12)`);
    expect(stack[2]).toMatch(/^ {4}at Object\.boom \(\/\S+\/widget\.ts:7:\d+\)$/);
  });

  it('reads the maps on the first stack it formats, not before', () => {
    const other = pathToFileURL(join(dir, 'later.json'));
    const mapper = new StackTraceMapper(other);
    writeFileSync(other, JSON.stringify({ 'widget.js': paged(map) }));
    const { error, frames } = framesOf(() => generated.boom());
    expect(mapper.format(error, frames)).toContain(`(${join(dir, 'widget.ts')}:3:12)`);
  });

  it('leaves a frame as V8 wrote it where its line has no mapping of its own', () => {
    // One segment, on the generated file's first line: the frames' lines have none.
    const first = { ...map, mappings: 'AAAA' };
    writeFileSync(mapsFile, JSON.stringify({ 'widget.js': paged(first) }));
    const { error, frames } = framesOf(() => generated.boom());
    const stack = new StackTraceMapper(mapsFile).format(error, frames).split('\n');
    expect(stack[1]).toBe(`    at ${String(frames[0])}`);
    expect(stack[1]).toContain('widget.js:');
  });

  it('formats every frame as V8 does when there are no maps at all', () => {
    const missing = pathToFileURL(join(dir, 'missing.json'));
    const { error, frames } = framesOf(() => generated.boom());
    const stack = new StackTraceMapper(missing).format(error, frames);
    expect(stack).toBe(['Error: made', ...frames.map((f) => `    at ${String(f)}`)].join('\n'));
  });

  it('leaves frames as V8 wrote them when the maps file is not what it should be', () => {
    const odd = pathToFileURL(join(dir, 'odd.json'));
    writeFileSync(odd, JSON.stringify({ 'widget.js': { sources: 5 } }));
    const { error, frames } = framesOf(() => generated.boom());
    const stack = new StackTraceMapper(odd).format(error, frames);
    expect(stack).toBe(['Error: made', ...frames.map((f) => `    at ${String(f)}`)].join('\n'));
  });

  it("keeps a Node error's code in the first line", () => {
    const { error, frames } = framesOf(() => Buffer.alloc(-1));
    const stack = new StackTraceMapper(mapsFile).format(error, frames);
    expect(stack.split('\n')[0]).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]: /);
  });
});
