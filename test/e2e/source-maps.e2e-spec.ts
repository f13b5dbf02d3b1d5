/**
 * Stack traces of rampart's own code point at its .ts sources in a process started the way
 * `npm start` and the image start it (the bundle's telemetry bootstrap preloaded), without the
 * `--enable-source-maps` flag: the bootstrap turns source maps on for the application's files and
 * leaves node_modules' maps unread (telemetry.bootstrap.ts says what that saves at start-up). The
 * bundle's maps chain through tsc's to src/ (scripts/bundle.mjs).
 */
import { spawnSync } from 'node:child_process';
import { ensureBuilt, ROOT } from '../support/child-process.js';
import { PRELOAD } from '../support/traced-child.js';

// The preload has loaded the bundle's configuration chunk (the bootstrap reads the environment
// with it). Node keeps the map of each file it loaded with maps on: find where the chunk declares
// OTEL_SDK_DISABLED and ask the map where that came from (a thrown error's frames are mapped
// through the same map; pprof.e2e-spec maps profile frames from the files).
const PROBE = `
import { findSourceMap, getSourceMapsSupport } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const origins = [];
for (const name of readdirSync('dist/bundle').filter((f) => f.endsWith('.js'))) {
  const path = 'dist/bundle/' + name;
  const lines = readFileSync(path, 'utf8').split('\\n');
  const line = lines.findIndex((l) => /^\\s*OTEL_SDK_DISABLED:/.test(l));
  if (line < 0) continue;
  const map = findSourceMap(pathToFileURL(process.cwd() + '/' + path).href);
  const column = lines[line].indexOf('OTEL_SDK_DISABLED');
  origins.push({ name, origin: map?.findOrigin(line + 1, column + 1) });
}
console.log(JSON.stringify({ support: getSourceMapsSupport(), origins }));
`;

describe('source maps in a process started as npm start starts it', () => {
  let result: {
    support: Record<string, boolean>;
    origins: { name: string; origin?: { fileName: string; lineNumber: number } }[];
  };

  beforeAll(() => {
    ensureBuilt();
    const run = spawnSync(process.execPath, [...PRELOAD, '--input-type=module', '--eval', PROBE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, OTEL_SDK_DISABLED: 'true' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as typeof result;
  });

  it("maps the bundle's code to rampart's .ts sources", () => {
    expect(result.origins).toHaveLength(1);
    expect(result.origins[0]!.origin?.fileName).toMatch(/src\/config\/telemetry\.config\.ts$/);
    expect(result.origins[0]!.origin?.lineNumber).toBeGreaterThan(0);
  });

  it("leaves node_modules' source maps unread, and generated code unmapped", () => {
    expect(result.support).toEqual({ enabled: true, nodeModules: false, generatedCode: false });
  });
});
