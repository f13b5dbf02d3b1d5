import { setTimeout as sleep } from 'node:timers/promises';
import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleAll } from 'cockatiel';
import { releaseHalfOpenProbe } from './half-open.release.js';

const HALF_OPEN_AFTER_MS = 5;

/** A call that settles when the test says. */
function pending() {
  let resolve!: (value: string) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
  return { fn: () => promise, resolve, reject };
}

/** A breaker opened by one failure, its cooldown over, its probe out and not settled. */
async function halfOpenWithProbe() {
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: HALF_OPEN_AFTER_MS,
    breaker: new ConsecutiveBreaker(1),
  });
  await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
  await sleep(HALF_OPEN_AFTER_MS * 2);
  const probe = pending();
  const outcome = breaker.execute(probe.fn).catch((e: Error) => e.message);
  expect(breaker.state).toBe(CircuitState.HalfOpen);
  const changes: CircuitState[] = [];
  breaker.onStateChange((s) => changes.push(s));
  return { breaker, probe, outcome, changes };
}

// Pins the cockatiel internals releaseHalfOpenProbe writes: a failure here after an upgrade
// means the release no longer works, and the breaker would count a probe its caller left.
describe('releaseHalfOpenProbe (on the installed cockatiel)', () => {
  it('keeps the breaker half-open and lets the next call through as the probe', async () => {
    const { breaker, changes } = await halfOpenWithProbe();
    expect(releaseHalfOpenProbe(breaker)).toBe(true);
    expect(breaker.state).toBe(CircuitState.HalfOpen);
    expect(changes).toEqual([]);
    let ran = false;
    await breaker.execute(() => ((ran = true), 'ok'));
    expect(ran).toBe(true);
    expect(breaker.state).toBe(CircuitState.Closed);
  });

  it('a released probe that fails later re-opens nothing', async () => {
    const { breaker, probe, outcome, changes } = await halfOpenWithProbe();
    releaseHalfOpenProbe(breaker);
    probe.reject(new Error('cut'));
    expect(await outcome).toBe('cut');
    expect(breaker.state).toBe(CircuitState.HalfOpen);
    expect(changes).toEqual([]);
  });

  it('a released probe that succeeds later closes nothing', async () => {
    const { breaker, probe, outcome, changes } = await halfOpenWithProbe();
    releaseHalfOpenProbe(breaker);
    probe.resolve('late');
    expect(await outcome).toBe('late');
    expect(breaker.state).toBe(CircuitState.HalfOpen);
    expect(changes).toEqual([]);
  });

  it('wakes a call parked for the verdict, which becomes the probe', async () => {
    const { breaker } = await halfOpenWithProbe();
    let ran = false;
    const parked = breaker.execute(() => ((ran = true), 'ok'));
    await sleep(1);
    expect(ran).toBe(false);
    releaseHalfOpenProbe(breaker);
    expect(await parked).toBe('ok');
    expect(ran).toBe(true);
    expect(breaker.state).toBe(CircuitState.Closed);
  });

  it('leaves a breaker that is not half-open alone', async () => {
    const breaker = circuitBreaker(handleAll, {
      halfOpenAfter: 60_000,
      breaker: new ConsecutiveBreaker(1),
    });
    expect(releaseHalfOpenProbe(breaker)).toBe(false);
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    expect(breaker.state).toBe(CircuitState.Open);
    expect(releaseHalfOpenProbe(breaker)).toBe(false);
    expect(breaker.state).toBe(CircuitState.Open);
  });
});
