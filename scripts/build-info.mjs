// Records which commit a build came from, for GET /version and /api/info:
//   node scripts/build-info.mjs [OUT]        (`npm run build` runs it after tsc; OUT defaults to
//                                            dist/build-info.json, read by src/version/build-info.ts)
// The commit is GIT_COMMIT when set (the Dockerfile's build argument: the build context has no
// .git), else `git rev-parse HEAD` of the checkout, else "unknown" (a tarball, no git installed).
// A checkout with uncommitted changes is marked `dirty`: its commit alone does not say what ran.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'dist', 'build-info.json');
const COMMIT = /^[0-9a-f]{7,64}$/;

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return undefined;
  }
}

function commitInfo() {
  const given = process.env.GIT_COMMIT?.trim().toLowerCase();
  if (given) {
    if (!COMMIT.test(given)) {
      console.error(`GIT_COMMIT must be a hexadecimal commit id, got ${JSON.stringify(given)}`);
      process.exit(2);
    }
    return { commit: given, dirty: false };
  }
  const head = git('rev-parse', 'HEAD');
  if (head === undefined || !COMMIT.test(head)) return { commit: 'unknown', dirty: false };
  return {
    commit: head,
    dirty: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '',
  };
}

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const info = { ...commitInfo(), version };
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(info, null, 2)}\n`);
console.log(`build info: ${JSON.stringify(info)} -> ${out}`);
