import { CircuitState, type CircuitBreakerPolicy } from 'cockatiel';
import type { CircuitAdmissionPolicy } from './circuit.admission.js';

/**
 * The breaker's verdict read before a call enters the policy chain (BackendPolicy.execute): no
 * deadline timer, no cockatiel call, no error stack but the caller's — an open circuit costs its
 * caller microseconds. Open: until the cooldown ends (then cockatiel itself moves to half-open
 * and sends the probe). Half-open: the one probe is in flight; cockatiel would park every other
 * call until its verdict (up to a whole timeout), here they are rejected at once (as
 * resilience4j does). A probe its caller cut short is given back (circuit.admission.ts): the
 * next call probes.
 */
export class OpenCircuitCheck {
  private openedAt = 0;

  /** @param halfOpenAfterMs UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS, the open circuit's cooldown */
  constructor(
    private readonly breaker: CircuitBreakerPolicy,
    private readonly admission: CircuitAdmissionPolicy,
    private readonly halfOpenAfterMs: number,
  ) {
    breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
    });
  }

  /** Whether a call is refused (UPSTREAM_CIRCUIT_OPEN) without entering the policy chain. */
  failsFast(): boolean {
    if (this.breaker.state === CircuitState.HalfOpen) return this.admission.probeOut;
    return this.coolingDown();
  }

  /** Open and in its cooldown (after it, cockatiel lets the half-open probe through), or isolated. */
  private coolingDown(): boolean {
    const state = this.breaker.state;
    if (state === CircuitState.Isolated) return true;
    return state === CircuitState.Open && Date.now() - this.openedAt < this.halfOpenAfterMs;
  }
}
