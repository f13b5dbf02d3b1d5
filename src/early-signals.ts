/**
 * Holds SIGTERM and SIGINT from the first module a process evaluates: imported first by the
 * telemetry bootstrap and by main.ts, and importing nothing, so it runs before the ~0.4 s of
 * loading the bundle that comes ahead of StartupSignals. A signal in that time took Node's
 * default: exit 143 or 130 with no log line. StartupSignals takes what arrived (takeEarlySignals)
 * and acts on it as if it had been listening. At the root of src/, beside main.ts, because both
 * entry points import it ahead of every folder (the bootstrap's layer may not import lifecycle/).
 */
/** The signals a start-up holds (lifecycle/startup-signals.ts listens for the same). */
export const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/**
 * The same signal again within this is the echo of one Ctrl-C (the terminal's to the process
 * group, and npm's forwarded copy within a millisecond), not a second request to stop: far below
 * a deliberate second keystroke. Start-up and shutdown both apply it.
 */
export const SAME_SIGNAL_WINDOW_MS = 500;
export type EarlySignal = (typeof SIGNALS)[number];

const arrived: Array<{ signal: EarlySignal; at: number }> = [];
const listeners = SIGNALS.map((signal) => {
  const listener = (): void => void arrived.push({ signal, at: performance.now() });
  process.on(signal, listener);
  return [signal, listener] as const;
});

/** Stops holding; returns the signals that arrived, oldest first. */
export function takeEarlySignals(): Array<{ signal: EarlySignal; at: number }> {
  for (const [signal, listener] of listeners) process.off(signal, listener);
  return arrived.splice(0);
}
