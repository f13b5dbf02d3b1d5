/**
 * Aborts a call when its caller aborts or its time runs out, and exposes that as a promise
 * that rejects with the reason (the caller's, or UPSTREAM_TIMEOUT). One timer per call, cleared
 * at the end: no timers pile up under load.
 */
export class CallGuard {
  private readonly controller = new AbortController();
  private readonly timer?: NodeJS.Timeout;
  readonly aborted: Promise<never>;
  private readonly onCallerAbort: () => void;

  /**
   * @param caller the caller's signal; its abort reason becomes the call's
   * @param budgetMs time left for the call (Infinity: no timer)
   * @param onTimeout builds the rejection when the time runs out
   */
  constructor(
    private readonly caller: AbortSignal,
    budgetMs: number,
    onTimeout: () => unknown,
  ) {
    let reject!: (reason: unknown) => void;
    this.aborted = new Promise<never>((_, r) => (reject = r));
    this.aborted.catch(() => undefined); // settled unobserved when the call ends first
    const abort = (reason: unknown) => {
      if (this.controller.signal.aborted) return;
      this.controller.abort(reason);
      reject(reason);
    };
    this.onCallerAbort = () => abort(caller.reason);
    if (caller.aborted) abort(caller.reason);
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    if (Number.isFinite(budgetMs)) {
      this.timer = setTimeout(() => abort(onTimeout()), Math.max(0, budgetMs));
    }
  }

  /** Aborts with the reason `aborted` rejects with: hand it to the policy. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The call ended: clear the timer, stop listening to the caller. */
  dispose(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }
}
