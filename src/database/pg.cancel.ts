import { connect } from 'node:net';

/**
 * Asks the server to cancel whatever backend `pid` is running, with the PostgreSQL CancelRequest
 * message (postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS): a
 * separate 16-byte connection, no session, so it needs no pool slot and never shows in
 * pg_stat_activity. Best effort by design: the server answers nothing, and a failure here only
 * leaves DB_STATEMENT_TIMEOUT_MS as the backstop.
 */
export function sendCancelRequest(
  target: { host: string; port: number },
  pid: number,
  secretKey: number,
): void {
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4); // the cancel request code: 1234 << 16 | 5678
  packet.writeInt32BE(pid, 8);
  packet.writeInt32BE(secretKey, 12);
  // A host starting with "/" is a Unix-socket directory (libpq convention).
  const socket = target.host.startsWith('/')
    ? connect(`${target.host}/.s.PGSQL.${target.port}`, () => socket.end(packet))
    : connect(target.port, target.host, () => socket.end(packet));
  socket.setTimeout(2_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
}
