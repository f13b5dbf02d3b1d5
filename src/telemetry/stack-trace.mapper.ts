import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';

/** One chunk's part of stack-maps.json (scripts/bundle-stack-maps.mjs writes it). */
export interface ChunkStackMap {
  sources: string[];
  names: string[];
  /** Generated lines per page; page `i` maps lines `i * pageLines` on, as lines from 0. */
  pageLines: number;
  /** Each page's mappings, null where it has none of rampart's code. */
  pages: (string | null)[];
}

interface Chunk extends ChunkStackMap {
  /** The pages built so far: node:module's SourceMap indexes a whole map when it is built. */
  built: (SourceMap | undefined)[];
}

/**
 * Stack traces whose frames in the bundle point at rampart's .ts sources, through the maps
 * scripts/bundle-stack-maps.mjs writes (rampart's own code only; third-party frames stay as V8
 * writes them), read when the first stack trace is formatted rather than at start-up.
 *
 * Why not Node's own support (`setSourceMapsSupport`): it reads and indexes every chunk's map as
 * the chunk loads, ~80 ms of a ~1.1 s start (spawn to the first 200, 8 interleaved starts with
 * and without it), and its first lookup in main.js indexed the whole 2.4 MB map, third-party
 * code included: the event loop stopped for 336 ms and the heap grew by 53 MB on the first error
 * a process formatted. Here the maps hold rampart's code only (a sixth of the size), in pages of
 * generated lines, and a frame indexes the one page it is on (bench/micro/stack-maps.bench.mjs).
 *
 * A frame keeps V8's own text (`async`, `new`, `Type.method [as alias]`); only its location is
 * replaced, in the form Node's support writes (a path, not a file: URL).
 */
export class StackTraceMapper {
  private chunks?: Map<string, Chunk>;

  /** @param mapsFile stack-maps.json: per chunk file name, its paged map; `sources` relative to it. */
  constructor(private readonly mapsFile: URL) {}

  /** Formats every stack trace of the process from now on (V8 calls it on a first `.stack`). */
  install(): void {
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
      this.format(error, frames);
  }

  format(error: Error, frames: NodeJS.CallSite[]): string {
    let stack = header(error);
    for (const frame of frames) stack += `\n    at ${this.frame(frame)}`;
    return stack;
  }

  /** A frame as V8 writes it, its location mapped where a map covers it. Never throws. */
  private frame(frame: NodeJS.CallSite): string {
    const text = String(frame);
    try {
      return this.mapped(frame, text);
    } catch {
      return text; // a map that cannot be read: the frame as V8 wrote it, not a failed .stack
    }
  }

  private mapped(frame: NodeJS.CallSite, text: string): string {
    const file = frame.getFileName();
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    if (!file || line === null || column === null) return text;
    const chunk = (this.chunks ??= this.read()).get(file);
    if (!chunk) return text;
    const pageIndex = Math.floor((line - 1) / chunk.pageLines);
    const map = this.page(chunk, pageIndex);
    if (!map) return text;
    const lineInPage = line - 1 - pageIndex * chunk.pageLines;
    const entry = map.findEntry(lineInPage, column - 1);
    // An entry on an earlier line belongs to other code: the frame's own line has none.
    if (!('originalSource' in entry) || entry.generatedLine !== lineInPage) return text;
    const location = `${file}:${line}:${column}`;
    const original = `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    return text.endsWith(`(${location})`)
      ? `${text.slice(0, -location.length - 1)}${original})`
      : text.replace(location, original);
  }

  /** A page's map, built on the first frame in it; undefined for a page without one. */
  private page(chunk: Chunk, index: number): SourceMap | undefined {
    const mappings = chunk.pages[index];
    if (!mappings) return undefined;
    const payload: SourceMapPayload = {
      version: 3,
      file: '',
      sourceRoot: '',
      sources: chunk.sources,
      sourcesContent: [],
      names: chunk.names,
      mappings,
    };
    return (chunk.built[index] ??= new SourceMap(payload));
  }

  /** Read once: a file that is missing or of another shape means no maps, not a retry per frame. */
  private read(): Map<string, Chunk> {
    const resolve = (path: string) => fileURLToPath(new URL(path, this.mapsFile));
    try {
      const chunks = JSON.parse(readFileSync(this.mapsFile, 'utf8')) as Record<
        string,
        ChunkStackMap
      >;
      return new Map(
        Object.entries(chunks).map(([name, chunk]) => [
          new URL(name, this.mapsFile).href,
          { ...chunk, sources: chunk.sources.map(resolve), built: [] },
        ]),
      );
    } catch {
      return new Map(); // no maps (a build without the bundle): frames stay as they are
    }
  }
}

/**
 * The first line: the error's own toString, which Node's errors use to show their code
 * (`RangeError [ERR_OUT_OF_RANGE]: ...`) and is Error.prototype's for every other error here.
 */
function header(error: Error): string {
  try {
    return String(error);
  } catch {
    return Error.prototype.toString.call(error);
  }
}
