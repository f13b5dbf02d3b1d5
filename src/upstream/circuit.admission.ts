import {
  CircuitState,
  EventEmitter,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type Event,
  type IDefaultPolicyContext,
  type IFailureEvent,
  type IPolicy,
  type ISuccessEvent,
} from 'cockatiel';
import { releaseHalfOpenProbe } from './half-open.release.js';

/** How the breaker let one attempt through to the bulkhead. */
export interface CircuitAdmission {
  /** No slot was free: the attempt waits in the bulkhead's queue, where the circuit may change. */
  readonly queued: boolean;
  /** The breaker's state changes counted when it let the attempt through. */
  readonly changesAt: number;
}

export interface CircuitAdmissionContext extends IDefaultPolicyContext {
  circuit: CircuitAdmission;
}

/**
 * A pass-through policy between the breaker and the bulkhead (upstream.policies.ts) that tells
 * each attempt how the breaker let it through, so that one which waited for a slot can ask again
 * once it has one (`stillAdmits`).
 *
 * cockatiel asks the breaker once per attempt, before the bulkhead, never when the attempt
 * leaves the queue: one queued while the circuit was closed went on to the backend whenever its
 * slot freed (a hung backend held 25 calls, then the 25 queued). Asked again only whether the
 * circuit was in its cooldown, a first attempt still went on once the cooldown was over: in the
 * open circuit's wake, or while the half-open probe was out (ahead of the probe, queued behind
 * it), so half-open let through more than its one probe; and a queued retry was not asked at all.
 * The queue is drained at the opening (the slot the failing call frees goes to each queued call
 * in turn, each turned away), which outran the cooldown only when that drain did: a short
 * UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS, a long queue, or an event loop stalled as the breaker
 * opened. cockatiel's policies compose through the context they pass down, so this needs no fork
 * of it.
 *
 * It also gives the half-open probe back when the probe ends without the backend's verdict
 * (`decides` false: its caller left, or its deadline cut it short, before the backend could be
 * called slow): the breaker stays half-open and the next call is the probe (half-open.release.ts).
 * Counted, such a probe re-opened the breaker for another cooldown on a backend that may have been
 * healthy; ignored, as cockatiel ignores an error its filter does not handle, it closed it on one
 * still hung.
 */
export class CircuitAdmissionPolicy implements IPolicy<CircuitAdmissionContext> {
  declare readonly _altReturn: never;
  /** It passes results through: its own events never fire (the composed policy's are the retry's). */
  readonly onSuccess: Event<ISuccessEvent> = new EventEmitter<ISuccessEvent>().addListener;
  readonly onFailure: Event<IFailureEvent> = new EventEmitter<IFailureEvent>().addListener;
  private changes = 0;
  /** `changes` when a probe was last given back; none is out until the next is let through. */
  private releasedAt = -1;

  /**
   * @param decides whether a probe's error is the backend's verdict (its failure, or an answer)
   * @param onRelease a probe was given back: for the policy's log line and counter
   */
  constructor(
    private readonly breaker: CircuitBreakerPolicy,
    private readonly bulkhead: BulkheadPolicy,
    private readonly decides: (error: unknown) => boolean,
    private readonly onRelease: () => void,
  ) {
    breaker.onStateChange(() => this.changes++);
  }

  /**
   * Runs `fn` at once, with its admission. The breaker calls this synchronously where it lets
   * the attempt through (for the probe, after it turned half-open), and the bulkhead takes the
   * attempt synchronously after: `queued` is the bulkhead's verdict.
   */
  execute<T>(
    fn: (context: CircuitAdmissionContext) => PromiseLike<T> | T,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<T> {
    // cockatiel lets one call at a time through half-open (BackendPolicy turns the rest away).
    const probe = this.breaker.state === CircuitState.HalfOpen;
    if (probe) this.releasedAt = -1;
    const circuit = { queued: this.bulkhead.executionSlots === 0, changesAt: this.changes };
    const attempt = Promise.resolve(fn({ signal, circuit }));
    return probe ? attempt.catch((error: unknown) => this.endProbe(error, circuit)) : attempt;
  }

  /**
   * Half-open with its probe out: every other call is turned away until the probe's verdict.
   * Not once the probe was given back: the next call is the probe.
   */
  get probeOut(): boolean {
    return this.breaker.state === CircuitState.HalfOpen && this.releasedAt !== this.changes;
  }

  /**
   * Runs before the breaker records the probe's error (it awaits this promise): a probe given
   * back here is one it no longer records. Only while its own half-open phase lasts: once the
   * circuit changed, the breaker ignores the probe anyway.
   */
  private endProbe(error: unknown, circuit: CircuitAdmission): never {
    if (
      !this.decides(error) &&
      this.changes === circuit.changesAt &&
      releaseHalfOpenProbe(this.breaker)
    ) {
      this.releasedAt = this.changes;
      this.onRelease();
    }
    throw error;
  }

  /**
   * Whether the breaker, asked now, would still let the attempt through: it is closed, or it is
   * in the very state that let the attempt through (the half-open probe's own, not a later one).
   * A queued attempt asks once it holds its slot, a turn later (upstream.policies.ts says why).
   */
  stillAdmits(circuit: CircuitAdmission): boolean {
    return this.breaker.state === CircuitState.Closed || this.changes === circuit.changesAt;
  }
}
