import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import pg from 'pg';
import { TcpProxy } from './tcp-proxy.js';

/**
 * Database helpers for the e2e tests. `.ci/run` exports DATABASE_URL, PG_ADMIN_URL and
 * REDIS_URL; without them the app runs on PGlite, and tests that need a real server feature
 * (pg_stat_activity, two instances on one database, an outage) still run against the machine's
 * PostgreSQL on 127.0.0.1:5432 — nothing is skipped.
 */
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** True when the suite runs against a real server by default (CI). */
export const USING_REAL_POSTGRES = process.env.DATABASE_URL !== undefined;

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Runs one statement on the admin database. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
  url = PG_ADMIN_URL,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'rampart-test-admin' });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the real server (one per test file keeps files independent). */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `rampart_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * Env for an app under test: a fresh real database when DATABASE_URL is set, nothing (PGlite
 * in memory) otherwise. Call drop() in afterAll.
 */
export async function defaultDatabaseEnv(): Promise<{
  env: Record<string, string>;
  drop(): Promise<void>;
}> {
  if (!USING_REAL_POSTGRES) return { env: {}, drop: async () => undefined };
  const db = await createPostgresDatabase();
  return { env: { DATABASE_URL: db.url }, drop: db.drop };
}

/** Backends of `applicationName` on `database` right now (on the server of `url`), with what
 * they run. */
export async function appBackends(
  database: string,
  applicationName: string,
  url = PG_ADMIN_URL,
): Promise<Array<{ pid: number; state: string | null; query: string }>> {
  return adminQuery(
    `SELECT pid, state, query FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
    [database, applicationName],
    url,
  );
}

/**
 * What the proxy does with a connection it accepts while stalled: `accept` forwards nothing (the
 * TCP connect succeeds, the server never speaks); `handshake` forwards the client's startup
 * message and the server's answers to it, then nothing the client sends (the session opens, its
 * first statement is never answered).
 */
export type ProxyStall = 'accept' | 'handshake';

/**
 * A TcpProxy (tcp-proxy.ts) in front of PostgreSQL, the machine's unless told another, with what
 * only that protocol has: a stall once the session has started (`handshake`), and connection URLs
 * through it. Cutting it never touches the server, which other suites use.
 */
export class PostgresProxy extends TcpProxy {
  private stallingHandshake = false;

  constructor(target = { host: '127.0.0.1', port: 5432 }) {
    super(target);
  }

  /** New connections stall as `mode` says; `false` lets them pass again. Open ones are kept. */
  override stall(mode: ProxyStall | false): void {
    this.stallingHandshake = mode === 'handshake';
    super.stall(mode === 'accept' ? 'accept' : false);
  }

  /** A connection URL for `database` through this proxy. */
  urlFor(database: string): string {
    const url = new URL(PG_ADMIN_URL);
    url.host = `127.0.0.1:${this.port}`;
    url.pathname = `/${database}`;
    return url.toString();
  }

  protected override stallsOpened(client: Socket, upstream: Socket): boolean {
    if (!this.stallingHandshake) return false;
    this.forwardStartupOnly(client, upstream);
    return true;
  }

  /**
   * Passes the startup message (its first 4 bytes are its length; no SSL is asked for) and the
   * server's answers, up to ReadyForQuery; what the client sends next goes nowhere.
   */
  private forwardStartupOnly(client: Socket, upstream: Socket): void {
    let head = Buffer.alloc(0);
    let left = -1;
    const fromClient = (chunk: Buffer) => {
      if (left < 0) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 4) return;
        left = head.readInt32BE(0);
        chunk = head;
      }
      const part = chunk.subarray(0, left);
      upstream.write(part);
      left -= part.length;
      if (left === 0) client.off('data', fromClient);
    };
    client.on('data', fromClient);
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      // ReadyForQuery ('Z', length 5, status) ends the server's side of the startup.
      if (chunk.includes(Buffer.from([0x5a, 0, 0, 0, 5]))) this.stalled++;
    });
  }
}
