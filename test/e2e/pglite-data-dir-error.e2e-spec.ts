import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from '../support/child-process.js';

/**
 * Preloaded into the child (`node --import`): a line on stderr when PGlite's package loads, the
 * load that brings its WASM bundle, seen through Node's own module hooks.
 */
const REPORT_PGLITE_LOAD = `data:text/javascript,${encodeURIComponent(`
  import { registerHooks } from 'node:module';
  registerHooks({
    load(url, context, next) {
      if (url.includes('/@electric-sql/pglite/')) process.stderr.write('pglite loaded: ' + url + '\\n');
      return next(url, context);
    },
  });
`)}`;
const PGLITE_LOADED = 'pglite loaded: ';

/**
 * A DATA_DIR the embedded database cannot use is a bad setting: start-up stops with exit 78 and
 * one line naming the variable, the path and why, with no stack trace. A directory PGlite can
 * create (its parent exists) is used.
 */
describe('a DATA_DIR the embedded database cannot use stops start-up naming the variable (exit 78)', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'rampart-data-dir-'));
    await writeFile(join(scratch, 'a-file'), 'not a directory');
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  // [case, DATA_DIR below the scratch directory, what the line says]
  it.each([
    [
      'a parent that does not exist',
      'missing/data',
      'its parent directory does not exist (ENOENT)',
    ],
    ['a file, not a directory', 'a-file', 'it is not a directory (ENOTDIR)'],
    ['below a file', 'a-file/data', 'a part of its path is not a directory (ENOTDIR)'],
  ])('%s', async (_case, below, says) => {
    const dataDir = join(scratch, below);
    const child = await startChild({ DATA_DIR: dataDir }, { waitReady: false });
    expect(await child.exited).toBe(78);
    expect(child.output()).toContain(`DATA_DIR: cannot open ${dataDir}: ${says}`);
    expect(child.output()).not.toMatch(/^\s+at /m);
    expect(child.output()).not.toContain('\\n    at ');
  });

  // It was checked once PGlite's package had loaded, after every Nest module was built: the
  // slow way to a one-line answer a stat() gives.
  it('is checked first: the child stops before PGlite is loaded', async () => {
    const dataDir = join(scratch, 'a-file');
    const child = await startChild(
      { DATA_DIR: dataDir },
      { waitReady: false, args: ['--import', REPORT_PGLITE_LOAD] },
    );
    expect(await child.exited).toBe(78);
    expect(child.output()).toContain(`DATA_DIR: cannot open ${dataDir}: it is not a directory`);
    expect(child.output()).not.toContain(PGLITE_LOADED);
  });

  it('a directory it can create (its parent exists) is used', async () => {
    const child = await startChild(
      { DATA_DIR: join(scratch, 'new-data') },
      { args: ['--import', REPORT_PGLITE_LOAD] },
    );
    try {
      // The hook above does see the load: its silence in the test before is no blind spot.
      expect(child.output()).toContain(PGLITE_LOADED);
      expect((await fetch(`${child.baseUrl}/api/items`)).status).toBe(200);
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  });
});
