import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces whose frames in the bundle point at rampart's .ts sources, through the maps
 * scripts/bundle-stack-maps.mjs writes (rampart's own code only; third-party frames stay as V8
 * writes them), read when the first stack trace is formatted rather than at start-up.
 *
 * Why not Node's own support (`setSourceMapsSupport`): it reads and indexes every chunk's map as
 * the chunk loads, ~80 ms of a ~1.1 s start (spawn to the first 200, 8 interleaved starts with
 * and without it), and its first lookup in main.js indexed the whole 2.4 MB map, third-party
 * code included: the event loop stopped for 336 ms and the heap grew by 53 MB on the first error
 * a process formatted. Here the first stack reads a map a sixth of that size
 * (bench/micro/stack-maps.bench.mjs: 91 against 396 ms, 3.4 against 35.3 MB kept).
 *
 * A frame keeps V8's own text (`async`, `new`, `Type.method [as alias]`); only its location is
 * replaced, in the form Node's support writes (a path, not a file: URL).
 */
export class StackTraceMapper {
  private maps?: Map<string, SourceMap | SourceMapPayload>;

  /** @param mapsFile stack-maps.json: per chunk file name, its map; `sources` relative to it. */
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

  private frame(frame: NodeJS.CallSite): string {
    const text = String(frame);
    const file = frame.getFileName();
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    if (!file || line === null || column === null) return text;
    const map = this.mapOf(file);
    if (!map) return text;
    const entry = map.findEntry(line - 1, column - 1);
    // An entry on an earlier line belongs to other code: the frame's own line has none.
    if (!('originalSource' in entry) || entry.generatedLine !== line - 1) return text;
    const location = `${file}:${line}:${column}`;
    const original = `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    return text.endsWith(`(${location})`)
      ? `${text.slice(0, -location.length - 1)}${original})`
      : text.replace(location, original);
  }

  /** The file's map, built on the first frame in that file; undefined for a file without. */
  private mapOf(file: string): SourceMap | undefined {
    const maps = (this.maps ??= this.read());
    const map = maps.get(file);
    if (map === undefined || map instanceof SourceMap) return map;
    const built = new SourceMap(map);
    maps.set(file, built);
    return built;
  }

  private read(): Map<string, SourceMapPayload> {
    let chunks: Record<string, SourceMapPayload>;
    try {
      chunks = JSON.parse(readFileSync(this.mapsFile, 'utf8')) as typeof chunks;
    } catch {
      return new Map(); // no maps (a build without the bundle): frames stay as they are
    }
    const resolve = (path: string) => fileURLToPath(new URL(path, this.mapsFile));
    return new Map(
      Object.entries(chunks).map(([chunk, map]) => [
        new URL(chunk, this.mapsFile).href,
        { ...map, sources: map.sources.map(resolve) },
      ]),
    );
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
