import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/child-process.js';

const SCRIPT = join(ROOT, 'scripts/build-info.mjs');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

describe('build identity: scripts/build-info.mjs (run by npm run build)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-build-info-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (script: string, env: Record<string, string>, out: string) =>
    spawnSync(process.execPath, [script, out], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

  it('in a git checkout, records HEAD and the package version', () => {
    const out = join(dir, 'checkout.json');
    expect(run(SCRIPT, {}, out).status).toBe(0);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    expect(read(out)).toMatchObject({ commit: head, version: VERSION });
    expect(typeof read(out).dirty).toBe('boolean');
  });

  it('GIT_COMMIT (the Docker build argument) wins over git', () => {
    const out = join(dir, 'arg.json');
    const commit = 'ABCDEF0123456789abcdef0123456789abcdef01';
    expect(run(SCRIPT, { GIT_COMMIT: commit }, out).status).toBe(0);
    expect(read(out)).toEqual({ commit: commit.toLowerCase(), dirty: false, version: VERSION });
  });

  it('a GIT_COMMIT that is not a commit id fails the build (exit 2), writing nothing', () => {
    const out = join(dir, 'bad.json');
    const result = run(SCRIPT, { GIT_COMMIT: 'main; rm -rf /' }, out);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('GIT_COMMIT');
    expect(() => readFileSync(out)).toThrow();
  });

  it('outside git (a copied tree), records "unknown"', () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'scripts'), { recursive: true });
    copyFileSync(SCRIPT, join(tree, 'scripts/build-info.mjs'));
    copyFileSync(join(ROOT, 'package.json'), join(tree, 'package.json'));
    const out = join(dir, 'outside.json');
    // GIT_CEILING_DIRECTORIES: git must not find a repository above the temporary directory.
    expect(
      run(join(tree, 'scripts/build-info.mjs'), { GIT_CEILING_DIRECTORIES: dir }, out).status,
    ).toBe(0);
    expect(read(out)).toEqual({ commit: 'unknown', dirty: false, version: VERSION });
  });
});

describe('build identity in the Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stage = (name: string) =>
    dockerfile.split(/^FROM /m).find((s) => s.includes(`AS ${name}`)) ?? '';

  it('the build stage takes GIT_COMMIT and runs npm run build with the script in the context', () => {
    expect(stage('build')).toMatch(/^ARG GIT_COMMIT/m);
    expect(stage('build')).toMatch(/^COPY scripts\/build-info\.mjs/m);
    expect(stage('build')).toMatch(/npm run build/);
    expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8')).toMatch(
      /^!scripts\/build-info\.mjs$/m,
    );
  });

  it("copies every script scripts/bundle.mjs imports into the build stage's context", () => {
    const glob = (pattern: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')}$`);
    const copied = [...stage('build').matchAll(/^COPY (.+) \.\/scripts\/$/gm)].flatMap((m) =>
      m[1]!.split(' ').map(glob),
    );
    const allowed = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => glob(line.slice(1)));
    const bundle = readFileSync(join(ROOT, 'scripts/bundle.mjs'), 'utf8');
    const imported = [...bundle.matchAll(/from '\.\/([\w.-]+\.mjs)'/g)].map(
      (m) => `scripts/${m[1]}`,
    );
    expect(imported.length).toBeGreaterThan(0);
    for (const script of imported) {
      expect([script, copied.some((p) => p.test(script))]).toEqual([script, true]);
      expect([script, allowed.some((p) => p.test(script))]).toEqual([script, true]);
    }
  });

  it('the image carries the OCI labels, its version the same as package.json', () => {
    const runtime = stage('runtime');
    expect(runtime).toMatch(/^ARG GIT_COMMIT/m);
    expect(runtime).toMatch(new RegExp(`^ARG VERSION=${VERSION.replaceAll('.', '\\.')}$`, 'm'));
    for (const label of ['revision="${GIT_COMMIT}"', 'version="${VERSION}"', 'source=', 'title=']) {
      expect(runtime).toContain(`org.opencontainers.image.${label}`);
    }
  });
});
