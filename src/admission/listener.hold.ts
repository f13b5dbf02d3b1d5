import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { logger } from '../logging/logger.js';
import { AcceptQueue } from './accept.queue.js';
import { ListenerPause } from './listener.pause.js';

const log = logger.child({ module: 'admission' });

/** What the hold reads from admission (admission.gate.ts, wired in admission.parts.ts). */
export interface HoldReadings {
  /** The concurrency limit now: connections are held near it. */
  limit(): number;
  /** Requests admitted and in flight now (for the log line). */
  inFlight(): number;
  /** The hold engaged (http_server_admission_holds_total). */
  engaged(): void;
}

/**
 * The public port's side of admission: counts the listener's connections and, during sustained
 * CPU-bound overload, closes and reopens its listening socket so that it holds about the
 * limit's worth of connections and the kernel refuses the rest. listener.pause.ts decides from
 * each window; this applies the decision, reads the kernel's accept queue while the thread is
 * saturated (accept.queue.ts) and logs the changes. admission.service.ts owns one;
 * admission.window.ts feeds it each window.
 */
export class ListenerHold {
  private readonly pause = new ListenerPause();
  /** The public listener, while its connections may be held (start() to stop()). */
  private listener?: { server: Server; port: number; host: string; acceptQueue: AcceptQueue };
  private open = 0;

  /**
   * @param backlog HTTP_LISTEN_BACKLOG, for listening again
   * @param readings the limit and in-flight count, read when the hold is applied
   */
  constructor(
    private readonly backlog: number,
    private readonly readings: HoldReadings,
  ) {}

  /** Connections the public listener has open. */
  get connections(): number {
    return this.open;
  }

  /** Whether connections are held near the limit (sustained overload). */
  get engaged(): boolean {
    return this.pause.engaged;
  }

  /** Counts the server's connections; each one that opens or closes re-applies the hold. */
  count(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.open++;
      socket.once('close', () => {
        this.open--;
        if (this.pause.engaged) this.apply();
      });
      if (this.pause.engaged) this.apply();
    });
  }

  /** Holds `server`'s connections from now on, once it listens on an address. */
  start(server: Server): void {
    const address = server.address();
    if (!address || typeof address !== 'object') return;
    const acceptQueue = new AcceptQueue(address.port, address.family === 'IPv6');
    this.listener = { server, port: address.port, host: address.address, acceptQueue };
  }

  /** Reopens a paused listener for good: shutdown closes it its own way. */
  stop(): void {
    this.pause.reset();
    this.apply();
    this.listener = undefined;
  }

  /**
   * Judges one window and applies the result.
   * @param utilization the window's event-loop utilization
   * @param saturated whether that utilization counts as the thread saturated
   * @param sustained sustained overload: the admission queue stands (admission.queue.ts) or the
   *   loop has lagged for several windows (loop-lag.ts)
   */
  judge(utilization: number, saturated: boolean, sustained: boolean): void {
    const listener = this.listener;
    if (listener === undefined) return;
    // Only a saturated thread accepts too slowly for the queue to stand (accept.queue.ts).
    const reading = saturated && listener.server.listening;
    if (!reading) listener.acceptQueue.clear();
    const changed = this.pause.judge({
      utilization,
      sustained,
      acceptBacklog: reading && listener.acceptQueue.sample(),
    });
    if (changed && this.pause.engaged) this.readings.engaged();
    if (changed)
      log.warn(
        {
          limit: this.readings.limit(),
          inFlight: this.readings.inFlight(),
          connections: this.open,
          acceptBacklog: this.pause.backlogged,
        },
        !this.pause.engaged
          ? 'overload over: the public port accepts connections again'
          : this.pause.backlogged
            ? "sustained overload: clients waited in the kernel's accept queue; the public port holds the connections it has, more are refused by the kernel"
            : 'sustained overload: the public port holds connections near the limit, more are refused by the kernel',
      );
    this.apply();
  }

  /** Closes or reopens the public listening socket to hold connections to the target. */
  private apply(): void {
    const listener = this.listener;
    if (listener === undefined) return;
    const { server, port, host } = listener;
    const listen = this.pause.shouldListen(this.open, this.readings.limit());
    if (listen === server.listening) return;
    if (!listen) {
      // net.Server's close, not http.Server's: that one would also close idle keep-alive
      // connections and stop the header/request timeout checks, which must go on.
      NetServer.prototype.close.call(server);
      return;
    }
    const failed = (error: Error): void => {
      // The port was taken meanwhile (it should not be): the next window tries again.
      log.error({ err: error, port }, 'public port could not listen again');
    };
    server.once('error', failed);
    // With a host, listen() binds on a later tick (dns.lookup answers even an IP literal
    // asynchronously); a second listen() meanwhile finds the bound handle and does nothing.
    server.listen({ port, host, backlog: this.backlog }, () => server.off('error', failed));
  }
}
