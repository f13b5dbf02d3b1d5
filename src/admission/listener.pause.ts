/** What the overload decision sees at the end of one admission window. */
export interface PauseWindow {
  /** Event-loop utilization over the window (0-1). */
  utilization: number;
  /**
   * Sustained overload, not a burst: the admission queue stands (admission.queue.ts) or the loop
   * has lagged for several windows (loop-lag.ts).
   */
  sustained: boolean;
  /** The kernel's accept queue stands (accept.queue.ts): clients wait unseen, not yet accepted. */
  acceptBacklog?: boolean;
}

// A few connections above the limit, so a client whose request has just been answered and one
// about to reuse a connection do not race for the last one; their requests wait in the
// admission queue (5 ms while it stands) instead.
const MIN_HEADROOM = 4;
const HEADROOM_SHARE = 0.1;
// Engaged only while the one thread is saturated: what holding connections saves is the CPU
// that refusing after parsing costs, which matters only when the CPU is what is short. (Over a
// slow dependency the limit binds with the CPU mostly idle; refusing there costs nothing that
// serving needs, and new clients keep getting a 503 with Retry-After, not a reset.) A standing
// queue alone engaged it at half of saturation too, on a 100 ms database hiccup.
// The one threshold for "the thread is saturated" (perf_hooks event-loop utilization); the
// limit's window reads it too (admission.window.ts), so both decisions mean the same thing by it.
export const CPU_SATURATED = 0.95;
// Released after half a second below 80 % utilization: the connections held no longer keep the
// thread busy, so arrivals have fallen. Releasing at the first idle window let the whole backlog
// of clients connect at once, which stood the queue up again half a second later.
const RELEASE_UTILIZATION = 0.8;
const RELEASE_WINDOWS = 5;

/**
 * During sustained, CPU-bound overload the public port listens only while it holds fewer
 * connections than the concurrency limit plus a little headroom; the rest of the time its
 * listening socket is closed and the kernel answers new connects with a reset (ECONNREFUSED), on
 * the client's side of the exchange. HTTP/1.1 without pipelining carries one request per
 * connection, so the connections held bring about the limit's worth of requests, and the excess
 * never reaches this process. Server CPU per turned-away request (listener.pause.bench.ts,
 * client on the same core): 50-80 µs refused after parsing (admission.listener.ts; a quarter of
 * serving an uncached item), 45-50 µs closed at accept (`server.maxConnections`: the kernel's
 * handshake and reset work lands on the accepting process), 0.2 µs for a connect to a port not
 * listening. At 3x saturation those refusals alone took half the core and goodput halved. A
 * refused connect costs this process nothing, and is the answer an ingress retries on another
 * pod. Refusals carry `Connection: close` while the queue stands, so connections above the
 * target drain by themselves. When clients are found waiting in the kernel's accept queue
 * (accept.queue.ts), the target is the connections it has, for as long as the thread stays
 * saturated (`backlogged`). Pure and clock-free: listener.hold.ts counts connections and
 * closes and reopens the listener.
 */
export class ListenerPause {
  private overloaded = false;
  private slackWindows = 0;
  /**
   * Engaged (or found, while engaged) with connections waiting in the kernel's accept queue:
   * the process accepts too slowly to hold connections near the limit, so it holds the ones it
   * has and listens for no more while they keep the thread saturated. Closing the listener also
   * resets the queued connections, whose clients were waiting unseen: they learn at once.
   */
  private acceptBacklogSeen = false;

  /** Whether the port's connections are held to the target (sustained overload). */
  get engaged(): boolean {
    return this.overloaded;
  }

  /** Holding what it has because clients waited in the accept queue (while saturated). */
  get backlogged(): boolean {
    return this.acceptBacklogSeen;
  }

  /** Judges one window; returns whether the overload mode changed. */
  judge(window: PauseWindow): boolean {
    const backlog = window.acceptBacklog === true;
    if (!this.overloaded) {
      if (!(window.sustained || backlog) || window.utilization < CPU_SATURATED) return false;
      this.overloaded = true;
      this.acceptBacklogSeen = backlog;
      this.slackWindows = 0;
      return true;
    }
    // Held to the connections it has only while they keep the thread saturated: clients that
    // close after each answer (no keep-alive) leave it idle, and it listens again at once
    // instead of after the half second below 80 % that ends the overload.
    if (backlog) this.acceptBacklogSeen = true;
    else if (window.utilization < CPU_SATURATED) this.acceptBacklogSeen = false;
    this.slackWindows = window.utilization < RELEASE_UTILIZATION ? this.slackWindows + 1 : 0;
    if (this.slackWindows < RELEASE_WINDOWS) return false;
    this.reset();
    return true;
  }

  /** Whether the port should listen while holding `connections` under this `limit`. */
  shouldListen(connections: number, limit: number): boolean {
    if (!this.overloaded) return true;
    if (this.acceptBacklogSeen) return false;
    return connections < limit + Math.max(MIN_HEADROOM, Math.ceil(limit * HEADROOM_SHARE));
  }

  /** Leaves the overload mode (shutdown closes the listener its own way). */
  reset(): void {
    this.overloaded = false;
    this.acceptBacklogSeen = false;
  }
}
