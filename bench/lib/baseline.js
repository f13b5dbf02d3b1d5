// An earlier revision of rampart, built beside this checkout, so a scenario can measure "before"
// and "after" in the same run on the same machine: `git archive` of the revision into
// bench/.baseline/<rev> (gitignored), this checkout's node_modules linked in, compiled with its
// TypeScript. Built once; later runs reuse it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { resolve } from 'node:path';

/** Returns the directory of the built revision (its dist/main.js exists). */
export function baselineBuild(rev) {
  const dir = resolve('bench/.baseline', rev);
  if (existsSync(`${dir}/dist/main.js`)) return dir;
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', rev], {
    maxBuffer: 256 << 20,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  if (!existsSync(`${dir}/node_modules`))
    symlinkSync(resolve('node_modules'), `${dir}/node_modules`);
  execFileSync(
    process.execPath,
    [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: dir, stdio: 'inherit' },
  );
  // A revision that bundles for `npm start` is measured as it ships (bench/lib/settings.js).
  if (existsSync(`${dir}/scripts/bundle.mjs`)) {
    execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: dir, stdio: 'inherit' });
  }
  return dir;
}
