import { closeSync, openSync, readSync } from 'node:fs';

/** Readings in a row that make a standing accept queue: 300 ms of 100 ms windows. */
const STANDING_READINGS = 3;
/**
 * Fewest connections waiting that count: a few clients connecting at once, with the thread
 * slowed by its neighbours on a busy node (utilization read as saturated), kept 1-15 waiting for
 * 300 ms, and the hold refused connects at light load (a sweep: 5-15 of 30 simultaneous connects
 * refused, `inFlight 0`). The overload this is for keeps hundreds waiting (512 of 512 below).
 */
const MIN_STANDING_DEPTH = 32;
/** The table is read in pieces of this size until its listening sockets have been seen. */
const CHUNK_BYTES = 16 * 1024;
/** A bound on what one reading takes (~1,000 lines), should the table not list listeners first. */
const MAX_BYTES = 160 * 1024;
/** A table line (after the header) whose socket is not listening: the listeners are behind it. */
const NOT_LISTENING = /^\s*\d+: \S+ \S+ (?!0A)[0-9A-F]{2} /m;

/**
 * The kernel's accept queue of the public listening socket: connections whose handshake the
 * kernel completed and whose request the client has already sent, which this process has not
 * accepted yet. libuv accepts one connection per event-loop turn (libuv PR #3696, 2022), so
 * while CPU-bound requests stretch each turn to tens of milliseconds the process accepts a few
 * dozen connections a second, the queue fills to the listen backlog and stays there, and its
 * clients wait seconds where no in-process signal sees them: not the admission queue, not the
 * latency of admitted requests, not the loop's delay. (Measured in admission-hold.e2e-spec.ts's
 * scenario: 512 of 512 queued for the whole overload, one `accept4` per `epoll_pwait`, answered
 * requests at p50 1.2 s / p99 3-5 s.) The length is read from `/proc/net/tcp` (or `tcp6`),
 * where a listening socket's `rx_queue` is its accept queue, as `ss -lnt` shows in Recv-Q.
 *
 * Read only while the thread is saturated (listener.hold.ts), and only the table's head: the
 * kernel lists every listening socket before the first connection (tcp_seq_start walks the
 * listening hash, then the established one) and writes the table as it is read, so a reading
 * stops at the first connection's line. The whole table grows with the sockets the network
 * namespace has: 19.6 ms to read with 5,000 sockets open here, on a thread that is already
 * saturated, against 0.07 ms for its head (accept.queue.spec.ts reads a 50,000-line table).
 */
export class AcceptQueue {
  private readonly readings: number[] = [];

  /**
   * @param port the public port
   * @param ipv6 the listener's family: its sockets are listed in /proc/net/tcp6
   * @param read the table's text (tests pass their own); undefined when it cannot be read
   */
  constructor(
    private readonly port: number,
    private readonly ipv6: boolean,
    private readonly read: (path: string) => string | undefined = readListeners,
  ) {}

  /**
   * Takes one reading; returns whether the queue stands: at least MIN_STANDING_DEPTH deep in
   * each of the last three readings and no shorter than three readings ago. A burst of connects
   * (admission-burst) fills it too, but then it only shrinks, as the process accepts what arrived
   * at once.
   */
  sample(): boolean {
    const text = this.read(this.ipv6 ? '/proc/net/tcp6' : '/proc/net/tcp');
    const length = text === undefined ? undefined : acceptQueueLength(text, this.port);
    if (length === undefined || length < MIN_STANDING_DEPTH) {
      this.readings.length = 0;
      return false;
    }
    this.readings.push(length);
    if (this.readings.length > STANDING_READINGS) this.readings.shift();
    return this.readings.length === STANDING_READINGS && length >= this.readings[0]!;
  }

  /** Forgets earlier readings (the thread is no longer saturated, or the port stopped listening). */
  clear(): void {
    this.readings.length = 0;
  }
}

/**
 * The accept queue of the socket listening on `port` in a /proc/net/tcp[6] table, undefined if
 * none listens there. Each line: `sl local_address rem_address st tx_queue:rx_queue ...`, the
 * addresses and queues in hex; a listening socket has state 0A and remote address zero.
 */
export function acceptQueueLength(table: string, port: number): number | undefined {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (let at = table.indexOf(local); at !== -1; at = table.indexOf(local, at + 1)) {
    const fields = table
      .slice(at + local.length, table.indexOf('\n', at))
      .trim()
      .split(/\s+/);
    // What follows a local address: remote address, state, queues. The same text after a
    // remote address is followed by the state and fails the checks below.
    if (fields[1] !== '0A' || !/^0+:0000$/.test(fields[0] ?? '')) continue;
    const rxQueue = fields[2]?.split(':')[1];
    return rxQueue === undefined ? undefined : Number.parseInt(rxQueue, 16);
  }
  return undefined;
}

/**
 * The head of a /proc/net/tcp[6] table up to the first socket that is not listening (or
 * MAX_BYTES), undefined if it cannot be read (not Linux, or a sandbox without it: no signal).
 */
export function readListeners(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let text = '';
    while (text.length < MAX_BYTES) {
      const bytes = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (bytes === 0) break;
      text += chunk.toString('latin1', 0, bytes);
      if (NOT_LISTENING.test(text)) break;
    }
    return text;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
