import { startChild, type Child } from '../support/child-process.js';
import type { JsonBody } from '../support/http.js';

/** Long enough that an exit "well before it" cannot be a slow machine's luck. */
const DRAIN_DELAY_MS = 30_000;

/** The child's log line with message `msg`, parsed, or undefined. */
function logLine(child: Child, msg: string): JsonBody | undefined {
  const line = child
    .output()
    .split('\n')
    .find((l) => l.includes(`"msg":"${msg}"`));
  return line ? (JSON.parse(line) as JsonBody) : undefined;
}

/** Milliseconds between two of the child's log lines, by their own timestamps. */
function between(child: Child, from: string, to: string): number {
  return Date.parse(logLine(child, to)!.time) - Date.parse(logLine(child, from)!.time);
}

const STEP_1 = 'shutdown: step 1, readiness 503';
const STEP_2 = 'shutdown: step 2, drain delay';
const STEP_3 = 'shutdown: step 3, closing public listener';

describe('the shutdown drain delay is waited only where someone may still route here', () => {
  it('outside Kubernetes with /readyz never served: no delay, the process exits at once', async () => {
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
      SHUTDOWN_TIMEOUT_MS: String(DRAIN_DELAY_MS * 2),
    });
    expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(DRAIN_DELAY_MS / 2);
    expect(logLine(child, STEP_2)).toBeUndefined();
    expect(logLine(child, STEP_3)).toBeDefined();
  }, 120_000);

  it('once /readyz answered 200: readiness stays 503 for the whole delay', async () => {
    const delayMs = 3_000;
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: String(delayMs),
      SHUTDOWN_TIMEOUT_MS: '30000',
    });
    expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(200);
    child.process.kill('SIGTERM');
    let ready = await fetch(`${child.baseUrl}/readyz`);
    while (ready.status === 200) {
      await ready.arrayBuffer();
      ready = await fetch(`${child.baseUrl}/readyz`);
    }
    expect(ready.status).toBe(503);
    expect(await child.exited).toBe(0);
    expect(logLine(child, STEP_2)?.delayMs).toBe(delayMs);
    // The listener closed no earlier than the delay after readiness turned 503.
    expect(between(child, STEP_1, STEP_3)).toBeGreaterThanOrEqual(delayMs);
  }, 120_000);

  it('in Kubernetes (KUBERNETES_SERVICE_HOST set): the delay is waited, probe or not', async () => {
    const delayMs = 3_000;
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: String(delayMs),
      SHUTDOWN_TIMEOUT_MS: '30000',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
    });
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(logLine(child, STEP_2)?.delayMs).toBe(delayMs);
    expect(between(child, STEP_1, STEP_3)).toBeGreaterThanOrEqual(delayMs);
  }, 120_000);
});
