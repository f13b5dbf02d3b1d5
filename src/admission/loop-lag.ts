/**
 * The loop-delay side of admission, judged once a window (admission.window.ts): while the last
 * window's worst delay passed EVENT_LOOP_MAX_DELAY_MS every new request is refused
 * (`SERVER_OVERLOADED`), and once it has done so `SUSTAINED_WINDOWS` windows running it counts as
 * sustained overload, as a standing queue does: refusals then close their connection and the
 * public port may hold its connections (listener.pause.ts). Loop-lag refusals never queue, so
 * without this, at 3x `/hello` the queue never stood, the port was never held, and the clients'
 * kept-alive connections brought one 503 after another (167,170 in 8 s; goodput 8,008/s against
 * 22,945/s at 2x). Two windows, so that one long pause (a GC, a blocking call) does not close
 * the port.
 */
export class LoopLag {
  static readonly SUSTAINED_WINDOWS = 2;
  private windows = 0;

  /** @param maxDelayMs EVENT_LOOP_MAX_DELAY_MS (0: never lagging) */
  constructor(private readonly maxDelayMs: number) {}

  /** Whether new requests are refused: the last window's worst delay passed the limit. */
  get lagging(): boolean {
    return this.windows > 0;
  }

  /** Whether the lag has lasted long enough to call it sustained overload. */
  get sustained(): boolean {
    return this.windows >= LoopLag.SUSTAINED_WINDOWS;
  }

  /** Judges one window by its worst loop delay. */
  judge(delayMaxMs: number): void {
    const lagging = this.maxDelayMs > 0 && delayMaxMs > this.maxDelayMs;
    this.windows = lagging ? this.windows + 1 : 0;
  }
}
