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
 */
export class CircuitAdmissionPolicy implements IPolicy<CircuitAdmissionContext> {
  declare readonly _altReturn: never;
  /** It passes results through: its own events never fire (the composed policy's are the retry's). */
  readonly onSuccess: Event<ISuccessEvent> = new EventEmitter<ISuccessEvent>().addListener;
  readonly onFailure: Event<IFailureEvent> = new EventEmitter<IFailureEvent>().addListener;
  private changes = 0;

  constructor(
    private readonly breaker: CircuitBreakerPolicy,
    private readonly bulkhead: BulkheadPolicy,
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
    const circuit = { queued: this.bulkhead.executionSlots === 0, changesAt: this.changes };
    return Promise.resolve(fn({ signal, circuit }));
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
