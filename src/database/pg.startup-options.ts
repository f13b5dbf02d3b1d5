/** What a pool connection is opened with: the URL, and the startup packet's `options`. */
export interface SessionStartup {
  connectionString: string;
  /** `-c name=value` settings applied by the server as the session starts (libpq `options`). */
  options?: string;
}

/**
 * Every pool connection asks for `client_connection_check_interval` (PostgreSQL 14+, off by
 * default) in its startup packet: no extra round trip, and set before the session runs anything.
 * Without it a backend notices its client has gone only when it next reads the socket: the
 * session of a connection this pool destroyed (a cancel ignored past its grace, a statement past
 * DB_QUERY_TIMEOUT_MS: pg.abort.ts, pg.session.ts) whose cancel never reached the server (lost
 * with the network, or sent to another server behind a balancer) ran its statement to the end,
 * or waited on a lock for as long as it was held, keeping its locks and one of max_connections.
 * With it the backend polls the socket while a statement runs and ends the session once the
 * close has arrived (postgresql.org/docs/15/runtime-config-connection.html).
 *
 * node-postgres lets the URL's own `options` replace the ones given beside it, so they are taken
 * out of the URL and sent after these: a setting the URL names again wins, as later `-c` do.
 * `checkIntervalMs` 0 sends nothing, and the server's own setting applies.
 */
export function sessionStartup(databaseUrl: string, checkIntervalMs: number): SessionStartup {
  if (checkIntervalMs === 0) return { connectionString: databaseUrl };
  const ours = `-c client_connection_check_interval=${checkIntervalMs}`;
  const { rest, options } = takeOptions(databaseUrl);
  return { connectionString: rest, options: options ? `${ours} ${options}` : ours };
}

/**
 * Splits the `options` parameter from a URL's query, leaving every other parameter as written.
 * The last one counts, as in pg-connection-string, which reads the query with URLSearchParams.
 */
function takeOptions(url: string): { rest: string; options?: string } {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return { rest: url };
  const fragmentAt = url.indexOf('#', queryAt);
  const queryEnd = fragmentAt === -1 ? url.length : fragmentAt;
  let options: string | undefined;
  const kept = url
    .slice(queryAt + 1, queryEnd)
    .split('&')
    .filter((part) => {
      const value = new URLSearchParams(part).get('options');
      if (value === null) return true;
      options = value;
      return false;
    });
  const query = kept.length > 0 ? `?${kept.join('&')}` : '';
  return { rest: url.slice(0, queryAt) + query + url.slice(queryEnd), options };
}
