/** Polls `condition` every 5 ms until true, or throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Awaits `condition` (an HTTP read, say) every `intervalMs` until it resolves true, or throws
 * after `timeoutMs`. For waiting on something a test has caused; `timeoutMs` is a failure bound
 * for a busy machine, not a measurement.
 */
export async function eventually(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
