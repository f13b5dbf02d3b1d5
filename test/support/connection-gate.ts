import { ConnectionGate, type GateOptions } from '../../src/database/connection.gate.js';

const never = () => new AbortController().signal;

/**
 * A gate on a clock the test moves; timers stay real (waits here are a few ms). Shared by the
 * gate's specs: connection.gate, connection.ceiling and connection.standing.
 */
export function gateAt(options: Partial<GateOptions> = {}) {
  const clock = { now: 1_000_000 };
  const gate = new ConnectionGate({
    max: 1,
    queueMax: 100,
    intervalMs: 100,
    targetMs: 30,
    now: () => clock.now,
    ...options,
  });
  return { gate, clock };
}

/** One caller's bounds: `timeoutMs`, and `deadline` on the gate's clock; never aborted. */
export const wait = (timeoutMs: number, deadline?: number) => ({
  signal: never(),
  timeoutMs,
  deadline,
});
