// A throwaway PostgreSQL database for one scenario, so rampart runs as in production (external
// database) instead of opening embedded PGlite (~2-4 s start-up, ~0.5-1 GB RSS). Needs PostgreSQL
// on 127.0.0.1 (PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/test).
import pg from 'pg';

export const ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Creates a database and returns { url, drop() }. */
export async function throwawayDatabase(label) {
  const database = `rampart_bench_${label}_${Date.now()}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}

export async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
