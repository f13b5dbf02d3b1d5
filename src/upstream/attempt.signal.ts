/**
 * The signal one attempt hands to undici: its policy's, with a reason when that has none.
 * cockatiel's attempt timeout (UPSTREAM_TIMEOUT_MS) aborts without one, so undici failed the
 * request with a bare AbortError, which the undici instrumentation reads as a cancellation its
 * caller chose (HTTP semconv: status unset, no `error.type`): the CLIENT span of an attempt the
 * backend let time out ended as if it had succeeded, where one the request's deadline cut (an
 * abort with UPSTREAM_TIMEOUT as its reason) was an error. Any other reason (the deadline's, a
 * client gone) is passed on as it is.
 */
export class AttemptSignal {
  private readonly controller = new AbortController();
  private readonly forward: () => void;

  /**
   * @param policy the attempt's signal from the composed policy
   * @param timedOut builds the reason when `policy` aborts without one: the coded timeout
   */
  constructor(
    private readonly policy: AbortSignal,
    timedOut: () => unknown,
  ) {
    this.forward = () => {
      const reason: unknown = policy.reason;
      const bare = reason instanceof DOMException && reason.name === 'AbortError';
      this.controller.abort(bare ? timedOut() : reason);
    };
    if (policy.aborted) this.forward();
    else policy.addEventListener('abort', this.forward, { once: true });
  }

  /** Aborts when the policy's signal does: pass it to undici. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The attempt ended: cockatiel aborts its signal once an attempt returns, to no one now. */
  dispose(): void {
    this.policy.removeEventListener('abort', this.forward);
  }
}
