import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';

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

/** A connection passing through the proxy, and what its client sent since the server last spoke. */
interface Link {
  client: Socket;
  upstream: Socket;
  unanswered: Buffer[];
}

/**
 * What the proxy does with a connection it accepts while stalled: `accept` forwards nothing (the
 * TCP connect succeeds, the server never speaks); `handshake` forwards the client's startup
 * message and the server's answers to it, then nothing the client sends (the session opens, its
 * first statement is never answered).
 */
export type ProxyStall = 'accept' | 'handshake';

/**
 * A TCP proxy to PostgreSQL that a test can cut: cut() closes the listener and destroys every
 * proxied socket (the app sees refused connections and dead sessions, as when the server goes
 * down); restore() listens on the same port again. stall() and freezeOpen() make a server that
 * stops answering without closing anything, as a hung server or a path that lost the flow (a
 * NAT or load balancer that forgot it) looks to a client: nothing comes back on those
 * connections, ever, even once new ones pass again. Cheaper than a throwaway cluster, and it
 * never touches the machine's PostgreSQL, which other suites use.
 */
export class PostgresProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<Link>();
  private stalling: ProxyStall | undefined;
  private readonly awaited = new Set<{ text: string; found: () => void }>();
  port = 0;
  /** Connections stalled so far: taken (`accept`), or with their session open (`handshake`). */
  stalled = 0;

  constructor(private readonly target = { host: '127.0.0.1', port: 5432 }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      this.track(client);
      if (this.stalling === 'accept') {
        this.stalled++;
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      this.track(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      if (this.stalling === 'handshake') {
        this.forwardStartupOnly(client, upstream);
        return;
      }
      const link: Link = { client, upstream, unanswered: [] };
      this.links.add(link);
      client.on('close', () => this.links.delete(link));
      client.on('data', (chunk: Buffer) => {
        link.unanswered.push(chunk);
        this.findAwaited();
      });
      upstream.on('data', () => (link.unanswered.length = 0));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  restore(): Promise<void> {
    return this.start();
  }

  /** New connections stall as `mode` says; `false` lets them pass again. Open ones are kept. */
  stall(mode: ProxyStall | false): void {
    this.stalling = mode || undefined;
  }

  /** Every connection passing now stops passing anything, either way; its sockets stay open. */
  freezeOpen(): void {
    for (const { client, upstream } of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
    this.links.clear();
  }

  /**
   * What the server sends on every connection passing now is kept here, not passed on, until
   * `release()`: the server has answered, the client has not heard yet (a slow path back, or a
   * client slow to read). What the client sends still passes. `held()` is the bytes kept so far.
   */
  holdAnswers(): { held(): number; release(): void } {
    const holds = [...this.links].map(({ client, upstream }) => {
      const chunks: Buffer[] = [];
      const keep = (chunk: Buffer) => chunks.push(chunk);
      upstream.unpipe(client);
      upstream.on('data', keep);
      upstream.resume();
      return {
        held: () => chunks.reduce((sum, chunk) => sum + chunk.length, 0),
        release: () => {
          upstream.off('data', keep);
          for (const chunk of chunks.splice(0)) client.write(chunk);
          upstream.pipe(client);
        },
      };
    });
    return {
      held: () => holds.reduce((sum, hold) => sum + hold.held(), 0),
      release: () => holds.forEach((hold) => hold.release()),
    };
  }

  /**
   * Resolves once a statement holding `text` (its SQL, as the extended protocol's Parse message
   * carries it) has passed to the server on a connection, and nothing has come back on that
   * connection since: now, or when one passes later. On a frozen server, that statement is in
   * flight for good.
   */
  unanswered(text: string): Promise<void> {
    return new Promise((resolve) => {
      this.awaited.add({ text, found: resolve });
      // After a turn of I/O: an answer the server wrote before it froze has reached us by then.
      setImmediate(() => this.findAwaited());
    });
  }

  /** A connection URL for `database` through this proxy. */
  urlFor(database: string): string {
    const url = new URL(PG_ADMIN_URL);
    url.host = `127.0.0.1:${this.port}`;
    url.pathname = `/${database}`;
    return url.toString();
  }

  private findAwaited(): void {
    for (const awaited of this.awaited) {
      const sent = [...this.links].some((link) =>
        link.unanswered.some((chunk) => chunk.includes(awaited.text)),
      );
      if (!sent) continue;
      this.awaited.delete(awaited);
      awaited.found();
    }
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
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
