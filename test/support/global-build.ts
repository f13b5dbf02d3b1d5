import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// No relative imports here: jest loads its globalSetup without the suites' module mapping.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'bundle', 'main.js');

/**
 * Compiles src/ to dist/ and bundles it (dist/bundle/) when the bundle is missing or older than
 * any source file or the bundling scripts, as `npm run build` does.
 */
export function ensureBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  const sources = Math.max(
    newest(join(ROOT, 'src')),
    ...readdirSync(join(ROOT, 'scripts'))
      .filter((f) => f.startsWith('bundle'))
      .map((f) => statSync(join(ROOT, 'scripts', f)).mtimeMs),
  );
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  // What `npm run build` does after tsc: dist/build-info.json, the commit GET /version shows.
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-info.mjs')], { cwd: ROOT });
}

/**
 * jest's globalSetup: the suites that start the compiled service (child-process.ts) build it
 * first when the sources are newer. On a fresh clone that build (tsc, then the bundle) ran inside
 * whichever suite came first and, on a loaded machine, outlasted jest's 60 s hook timeout; here
 * it runs once, before any suite, with no timeout.
 */
export default function globalBuild(): void {
  ensureBuilt();
}
