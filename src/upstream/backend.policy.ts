import { setImmediate } from 'node:timers/promises';
import {
  BrokenCircuitError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isTaskCancelledError,
  TaskCancelledError,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IPolicy,
  type IRetryContext,
} from 'cockatiel';
import {
  isUpstreamStatusError,
  isUpstreamTimeoutError,
  UpstreamTimeoutError,
} from './upstream.errors.js';
import { BulkheadFullError, CircuitOpenError } from './resilience.errors.js';
import { AttemptSignal } from './attempt.signal.js';
import { CallGuard } from './call.guard.js';
import type {
  CircuitAdmission,
  CircuitAdmissionContext,
  CircuitAdmissionPolicy,
} from './circuit.admission.js';
import { OpenCircuitCheck } from './open-circuit.check.js';
import { tagAttempt } from './retry.decision.js';
import type {
  AttemptContext,
  CallOptions,
  CallOutcome,
  PolicyHooks,
  PolicySettings,
} from './backend-call.types.js';

type Composed = IPolicy<IRetryContext & CircuitAdmissionContext>;

/**
 * The one named policy of one backend (built in upstream.policies.ts), as callers use it:
 * refuses a call at once while the circuit is open (open-circuit.check.ts), bounds each call by
 * the caller's deadline, runs its attempts through the composed cockatiel policy, and turns
 * cockatiel's rejections into coded errors (problem+json). What it is handed and hands on:
 * backend-call.types.ts.
 */
export class BackendPolicy {
  private readonly openCircuit: OpenCircuitCheck;

  constructor(
    readonly name: string,
    private readonly policy: Composed,
    readonly breaker: CircuitBreakerPolicy,
    readonly bulkhead: BulkheadPolicy,
    private readonly admission: CircuitAdmissionPolicy,
    private readonly settings: PolicySettings,
    private readonly hooks: PolicyHooks,
  ) {
    this.openCircuit = new OpenCircuitCheck(breaker, admission, settings.halfOpenAfterMs);
  }

  /**
   * Runs `send` under the policy. The call stops at the caller's deadline less half the margin,
   * leaving time to answer; each attempt forwards that deadline less the other half, so the
   * backend's own answer (even its 504) arrives before this call gives up.
   */
  async execute<T>(call: CallOptions, send: (attempt: AttemptContext) => Promise<T>): Promise<T> {
    this.hooks.onCall();
    if (this.openCircuit.failsFast()) {
      const error = this.circuitOpen();
      this.hooks.onOutcome('circuit_open', error);
      throw error;
    }
    const started = Date.now();
    const stopAt = call.deadline - this.settings.marginMs / 2;
    if (stopAt - started - this.settings.marginMs / 2 < 1) {
      // Too late to ask anyone: not the backend's failure, so the breaker never sees it.
      const error = new UpstreamTimeoutError(this.name, 0);
      this.hooks.onOutcome('timeout', error);
      this.hooks.onTimeout(0);
      throw error;
    }
    const guard = new CallGuard(call.signal, stopAt - started, () => this.timeoutSince(started));
    try {
      const result = await Promise.race([
        this.policy.execute(({ signal, attempt, circuit }) => {
          const ctx = { index: attempt, idempotent: call.idempotent, stopAt, circuit };
          return this.attempt(ctx, signal, call.signal, send).catch((error: unknown) => {
            tagAttempt(error, ctx);
            throw error;
          });
        }, guard.signal),
        // cockatiel neither wakes a queued bulkhead call nor a retry backoff on abort: the race
        // ends the call at the deadline anyway (the abandoned branch settles into the void).
        guard.aborted,
      ]);
      this.hooks.onOutcome('ok');
      return result;
    } catch (error) {
      const coded = this.translate(error, call.signal, started);
      this.hooks.onOutcome(outcomeOf(coded, call.signal), coded);
      if (isUpstreamTimeoutError(coded)) this.hooks.onTimeout(coded.afterMs);
      throw coded;
    } finally {
      guard.dispose();
    }
  }

  private async attempt<T>(
    ctx: { index: number; stopAt: number; circuit: CircuitAdmission },
    signal: AbortSignal,
    callerSignal: AbortSignal,
    send: (attempt: AttemptContext) => Promise<T>,
  ): Promise<T> {
    if (ctx.circuit.queued) {
      // cockatiel asks the breaker once, before the bulkhead (circuit.admission.ts): an attempt
      // that waited for a slot asks again once the slot is ours, a turn later: the call that
      // freed the slot may have just opened it, which cockatiel records a few microtasks after
      // handing the slot over.
      await setImmediate();
      if (!this.admission.stillAdmits(ctx.circuit)) throw new BrokenCircuitError();
    }
    const started = Date.now();
    const attemptMs = Math.min(this.settings.timeoutMs, ctx.stopAt - started);
    const downstreamTimeoutMs = Math.floor(attemptMs - this.settings.marginMs / 2);
    // A late backoff timer can leave a retry no time; cancelled (not a backend failure), the
    // call ends as UPSTREAM_TIMEOUT in translate().
    if (downstreamTimeoutMs < 1) throw new TaskCancelledError('no time left for an attempt');
    const cut = new AttemptSignal(signal, () => this.timeoutSince(started));
    try {
      return await send({ signal: cut.signal, attempt: ctx.index, downstreamTimeoutMs });
    } catch (error) {
      const cutEarly = this.cutEarly(started);
      if (callerSignal.aborted) {
        // The client left (or the request's own deadline fired first). Its reason is the
        // request's, shared by every backend it calls: an attempt that counts throws its own
        // error, which only the breaker sees (the call already ended with the caller's reason).
        if (cutEarly) throw callerSignal.reason;
        throw this.timeoutSince(started);
      }
      // Our timeout (cockatiel's timer, or the deadline guard it derives from) aborted undici;
      // when the deadline left this attempt less than the backend's timeout, the deadline did.
      const cutByDeadline = attemptMs < this.settings.timeoutMs && cutEarly;
      if (signal.aborted) throw this.timeoutSince(started, cutByDeadline);
      // The backend kept to the deadline it was told (x-request-timeout) and answered 504 there.
      if (
        cutByDeadline &&
        isUpstreamStatusError(error) &&
        error.upstreamStatus === 504 &&
        Date.now() - started >= downstreamTimeoutMs - 1
      ) {
        error.deadlineForwarded = true;
      }
      throw error;
    } finally {
      cut.dispose();
    }
  }

  /**
   * Whether an attempt its caller cut short (its deadline, or its client disconnecting) ended
   * before half of UPSTREAM_TIMEOUT_MS: the caller's doing, not counted against the backend.
   * One cut later counts. That timeout is where a backend counts as failing, set well above its
   * normal latency; half of it is still far past what a healthy backend takes, so one silent that
   * long is slow. Without this, a hung backend never opened the breaker while every caller's
   * deadline stayed under UPSTREAM_TIMEOUT_MS (each request spent its whole budget on it), nor
   * while a load balancer in front hung up on every client before it (an idle timeout under
   * UPSTREAM_TIMEOUT_MS); a client whose deadlines, or patience, are under half of it still
   * cannot open it for everyone.
   */
  private cutEarly(started: number): boolean {
    return Date.now() - started < this.settings.timeoutMs / 2;
  }

  private translate(error: unknown, callerSignal: AbortSignal, started: number): unknown {
    if (isBrokenCircuitError(error)) return this.circuitOpen();
    if (isBulkheadRejectedError(error)) return new BulkheadFullError(this.name);
    // Cancelled while queued in the bulkhead, or no time was left for a retry.
    if (isTaskCancelledError(error)) {
      return callerSignal.aborted ? callerSignal.reason : this.timeoutSince(started);
    }
    return error;
  }

  private circuitOpen(): CircuitOpenError {
    return new CircuitOpenError(this.name, Math.ceil(this.settings.halfOpenAfterMs / 1_000));
  }

  private timeoutSince(started: number, cutByDeadline = false): UpstreamTimeoutError {
    return new UpstreamTimeoutError(this.name, Date.now() - started, cutByDeadline);
  }
}

function outcomeOf(error: unknown, callerSignal: AbortSignal): CallOutcome {
  if (callerSignal.aborted && error === callerSignal.reason) return 'cancelled';
  if (isUpstreamTimeoutError(error)) return 'timeout';
  const code = (error as { code?: unknown }).code;
  if (code === 'UPSTREAM_CIRCUIT_OPEN') return 'circuit_open';
  if (code === 'UPSTREAM_BULKHEAD_FULL') return 'bulkhead_full';
  return 'failed';
}
