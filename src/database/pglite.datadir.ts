import type { PGlite } from '@electric-sql/pglite';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { logger } from '../logging/logger.js';
import { MIGRATIONS } from './database.migrations.js';
import { migrate } from './database.migrator.js';

const log = logger.child({ module: 'database' });
const execFileAsync = promisify(execFile);

/** Where the pre-initialised cluster is kept: beside the installed packages, like other tools'. */
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/rampart/', import.meta.url));
const THROWAWAY_PREFIX = 'rampart-pglite-';

/**
 * PostgreSQL settings of the embedded cluster, written to its postgresql.conf at every open (so
 * a DATA_DIR made by an older version gets them too). PGlite touches all of its shared memory
 * at start, so each MB here is a MB resident in every `npm start`; its filesystem is the host's,
 * whose page cache sits under these buffers anyway. Measured (`--liftoff-only`, PGlite alone,
 * resident after open): 133 MB with PGlite's 128 MB default cut to 16 MB, 115 MB with 4 MB of
 * buffers and room for 4 sessions (PGlite runs one; PostgreSQL's default sizes arrays for 100).
 */
export const PGLITE_CONF = 'shared_buffers = 4MB\nmax_connections = 4\n';

/**
 * A fresh data directory for one process when DATA_DIR is unset: each start begins empty, as
 * an in-memory database would, but without initdb. initdb in WASM is most of PGlite's opening
 * time (measured on 2 busy cores: 13 s to create a cluster, 1.2 s to open a copied one, 4.4 s to
 * unpack a dump into memory), so the cluster is created once per PGlite version and set of
 * migrations (applied in it, so start-up finds them done), kept under node_modules/.cache, and
 * copied to a temporary directory at each start (`npm ci` clears the cache with node_modules;
 * templates of earlier migrations are left alone: another checkout's process may be copying
 * one). The caller removes the directory at close; directories of processes that died are
 * removed by the next start.
 */
export async function throwawayDataDir(PGliteClass: typeof PGlite): Promise<string> {
  removeAbandoned();
  const dir = await mkdtemp(join(tmpdir(), `${THROWAWAY_PREFIX}${process.pid}-`));
  const template = await ensureTemplate(PGliteClass);
  // Without a template (cache not writable: a read-only image), PGlite runs initdb in `dir`.
  if (template) await copyTree(template, dir);
  return dir;
}

/**
 * `cp -R` where there is one: ~1,000 small files copy in 60 ms with it and in 0.35–1.1 s with
 * fs.cp, which walks them in JavaScript (measured here, 2 busy cores).
 */
async function copyTree(from: string, to: string): Promise<void> {
  try {
    await execFileAsync('cp', ['-R', `${from}/.`, to]);
  } catch {
    await cp(from, to, { recursive: true });
  }
}

/**
 * The cached cluster for this PGlite version and set of migrations, created on first use (or at
 * image build time: pglite.prepare.ts); undefined if it cannot be.
 */
export async function ensureTemplate(PGliteClass: typeof PGlite): Promise<string | undefined> {
  const migrations = createHash('sha256').update(JSON.stringify(MIGRATIONS)).digest('hex');
  const template = join(CACHE_DIR, `pglite-${pgliteVersion()}-${migrations.slice(0, 12)}`);
  if (existsSync(template)) return template;
  const staging = join(CACHE_DIR, `.staging-${randomUUID()}`);
  try {
    await mkdir(staging, { recursive: true });
    log.info({ template }, 'creating the embedded database template (once per PGlite version)');
    const db = await PGliteClass.create(staging, { postgresqlconf: PGLITE_CONF });
    try {
      await migrate(
        {
          query: async (sql, params) => {
            const result = await db.query<never>(sql, params as unknown[] | undefined);
            return { rows: result.rows, rowCount: result.rows.length };
          },
          exec: async (sql) => void (await db.exec(sql)),
        },
        MIGRATIONS,
      );
    } finally {
      await db.close();
    }
    // Atomic: a concurrent first start either wins the rename or finds the template in place.
    await rename(staging, template).catch(async (error: unknown) => {
      if (!existsSync(template)) throw error;
      await rm(staging, { recursive: true, force: true });
    });
    return template;
  } catch (error) {
    log.warn({ err: error, template }, 'cannot cache the embedded database template');
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    return undefined;
  }
}

function pgliteVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Throwaway directories whose process is gone (killed before it could remove its own). */
function removeAbandoned(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(THROWAWAY_PREFIX)) continue;
    const pid = Number(name.slice(THROWAWAY_PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || isAlive(pid)) continue;
    void rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
