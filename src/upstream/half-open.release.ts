import { CircuitState, type CircuitBreakerPolicy } from 'cockatiel';

/** cockatiel 4's half-open state (dist/CircuitBreakerPolicy.js), which it keeps private. */
interface HalfOpenState {
  value: CircuitState.HalfOpen;
  inFlight: number;
  successes: number;
  failures: number;
  decision: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void };
}

interface BreakerInternals {
  innerState: unknown;
}

/**
 * Puts a half-open breaker back as it was before its probe call went through: still half-open,
 * no probe out, no event fired. The next call to reach it is the probe, and whatever the released
 * probe ends in, whenever it ends, counts for nothing.
 *
 * cockatiel has no such operation: its half-open phase ends only in a verdict, closed or
 * re-opened. It records a probe's outcome against the state object that let the probe through,
 * and drops the outcome when that object is no longer the breaker's state
 * (recordHalfOpenSuccess / recordHalfOpenFailure); a fresh half-open state in its place, counts at
 * zero, is that "before". Calls it parked until the verdict are woken (the old decision resolves)
 * and ask again. This writes cockatiel's private state: half-open.release.spec.ts pins the
 * behaviour on the installed version, and a state of another shape is left alone.
 *
 * @returns whether the probe was released (false: the breaker is not half-open, or its state is
 *   not cockatiel 4's, and nothing changed)
 */
export function releaseHalfOpenProbe(breaker: CircuitBreakerPolicy): boolean {
  const internals = breaker as unknown as BreakerInternals;
  const state = internals.innerState;
  if (!isHalfOpenState(state)) return false;
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  const fresh: HalfOpenState = {
    ...state,
    inFlight: 0,
    successes: 0,
    failures: 0,
    decision: { promise, resolve, reject },
  };
  internals.innerState = fresh;
  state.decision.resolve();
  return true;
}

function isHalfOpenState(state: unknown): state is HalfOpenState {
  if (typeof state !== 'object' || state === null) return false;
  const s = state as Partial<HalfOpenState>;
  return (
    s.value === CircuitState.HalfOpen &&
    typeof s.inFlight === 'number' &&
    typeof s.successes === 'number' &&
    typeof s.failures === 'number' &&
    typeof s.decision?.resolve === 'function'
  );
}
