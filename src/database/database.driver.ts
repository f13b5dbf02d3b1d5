/** Rows of one statement; `rowCount` is the number of rows written or returned. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** One server session, held for the duration of a `run` callback. */
export interface SqlSession {
  /**
   * One parameterised statement (extended protocol: `$1`, `$2`, ...). With `name`, PostgreSQL
   * parses and plans it once per connection and later runs skip straight to Bind/Execute.
   */
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    name?: string,
  ): Promise<SqlResult<R>>;
  /**
   * Several statements without parameters (simple protocol): migrations. `timeoutMs` replaces
   * the session's client-side bound for this call (RunOptions.queryTimeoutMs; 0 = none).
   */
  exec(sql: string, timeoutMs?: number): Promise<void>;
}

export interface RunOptions {
  /** Aborts the wait for a session and cancels the running statement on the server. */
  signal: AbortSignal;
  /** Cap on the wait for a free session (DB_POOL_TIMEOUT past it). */
  acquireTimeoutMs: number;
  /** Epoch ms at which the caller's request fails anyway: the wait never outlasts it. */
  deadline?: number;
  /** The client-side bound on each statement (pg.session.ts); absent: DB_QUERY_TIMEOUT_MS. */
  queryTimeoutMs?: number;
  /**
   * Once `signal` aborts, how long the run may go on (the cancelled statement, a ROLLBACK, an
   * unlock) before its connection is destroyed (pg.abort.ts), or a connect it left may stay
   * pending before that connection is destroyed and its slot freed (pg.connect.ts); absent:
   * until each statement's own bound, and the connect's DB_CONNECT_TIMEOUT_MS. PGlite runs
   * in-process and ignores it.
   */
  cancelGraceMs?: number;
  /**
   * Called once when a cancelled run was still not over at a client-side bound (`cancelGraceMs`,
   * or the statement's own) and its connection was destroyed: the server ignored the cancel.
   */
  onCancelIgnored?: () => void;
  /**
   * Called when the caller's signal cancels a statement the server is running, or leaves a
   * connect still pending, with how long it had run: a server that stopped answering shows here
   * first (DatabasePolicy.suspect).
   */
  onCancelled?: (runningMs: number) => void;
  /**
   * Called as each statement of the run is handed to the server: from then on it may run, and
   * commit, whatever becomes of the call. Never called for a call that ended before (the pool's
   * queue, a connect, an abort meanwhile).
   */
  onSent?: () => void;
}

/** Pool figures for metrics: sessions open, idle, and callers waiting for one. */
export interface PoolStats {
  max: number;
  total: number;
  idle: number;
  waiting: number;
}

/**
 * The seam between the SQL the repositories write and where it runs: a `pg` pool against
 * PostgreSQL, or PGlite in-process. Both speak the same dialect (PGlite is PostgreSQL compiled
 * to WASM), so repositories and migrations exist once.
 */
export interface DatabaseDriver {
  readonly kind: 'postgres' | 'pglite';
  /** Holds one session for `fn`; waits at most `acquireTimeoutMs`; honours `signal`. */
  run<T>(fn: (session: SqlSession) => Promise<T>, options: RunOptions): Promise<T>;
  /** `SELECT 1` outside the pool and its queue, within `timeoutMs`: the breaker's probe. */
  probe(timeoutMs: number): Promise<void>;
  /** Fails every caller waiting for a session with `error`. */
  rejectWaiting(error: unknown): void;
  stats(): PoolStats;
  close(): Promise<void>;
}
