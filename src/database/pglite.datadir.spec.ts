import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadConfig } from '../config/config.loader.js';
import type { SqlSession } from './database.driver.js';
import { MIGRATIONS } from './database.migrations.js';
import { PgliteDriver } from './pglite.driver.js';

const config = loadConfig({});
const options = { signal: new AbortController().signal, acquireTimeoutMs: 10_000 };

/** This process's throwaway data directories right now. */
function throwaways(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`rampart-pglite-${process.pid}-`));
}

function run<T>(driver: PgliteDriver, fn: (s: SqlSession) => Promise<T>): Promise<T> {
  return driver.run(fn, options);
}

describe('embedded database without DATA_DIR (a copy of the cached cluster per start)', () => {
  it('every start begins empty with the migrations applied, and leaves no directory behind', async () => {
    const first = await PgliteDriver.open(config);
    expect(throwaways()).toHaveLength(1);
    await run(first, (s) => s.exec('CREATE TABLE written_by_first (x int);'));
    await first.close();
    expect(throwaways()).toHaveLength(0);

    const second = await PgliteDriver.open(config);
    try {
      const leftover = await run(second, (s) =>
        s.query<{ t: string | null }>("SELECT to_regclass('written_by_first')::text AS t"),
      );
      expect(leftover.rows).toEqual([{ t: null }]);
      const applied = await run(second, (s) =>
        s.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'),
      );
      expect(applied.rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await second.close();
    }
  }, 120_000);
});
