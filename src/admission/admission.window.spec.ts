import { performance } from 'node:perf_hooks';
import { AdmissionWindow } from './admission.window.js';
import {
  ConcurrencyLimiter,
  type LimiterUpdate,
  type LimiterWindow,
} from './concurrency.limiter.js';
import type { LoopWindow } from './event-loop.monitor.js';
import { LatencyWindow } from './latency.window.js';
import { LimitChangeLog, type LimitChange } from './limit-change.log.js';
import { ListenerHold } from './listener.hold.js';
import { LoopWatch } from './loop.watch.js';

/** A loop whose windows the test writes; each judge() ends one window of the AdmissionWindow. */
class ScriptedLoop extends LoopWatch {
  utilization = 0.5;
  judged = 0;
  private waiting: { at: number; resolve: () => void }[] = [];

  constructor() {
    super(0, 0);
  }

  override judge(): LoopWindow {
    this.judged++;
    this.last = { utilization: this.utilization, delayMeanMs: 1, delayMaxMs: 2 };
    // Resolved here, the awaiting test resumes once the rest of the window (synchronous) is done.
    for (const w of this.waiting.filter((w) => w.at <= this.judged)) w.resolve();
    this.waiting = this.waiting.filter((w) => w.at > this.judged);
    return this.last;
  }

  /** Resolves once `count` more windows have ended. */
  windows(count = 1): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ at: this.judged + count, resolve }));
  }
}

/** The real limiter, recording what each window fed it; `grows` makes the next update grow it. */
class RecordingLimiter extends ConcurrencyLimiter {
  readonly fed: { window: LimiterWindow; at: number }[] = [];
  grows = false;

  constructor() {
    super({ minLimit: 5, maxLimit: 100, initialLimit: 20 });
  }

  override update(window: LimiterWindow): LimiterUpdate {
    this.fed.push({ window, at: performance.now() });
    const update = super.update(window);
    return this.grows ? { ...update, limit: update.previous + 5 } : update;
  }
}

class RecordingHold extends ListenerHold {
  readonly told: [utilization: number, saturated: boolean, sustained: boolean][] = [];

  constructor() {
    super(511, { limit: () => 20, inFlight: () => 0, engaged: () => undefined });
  }

  override judge(utilization: number, saturated: boolean, sustained: boolean): void {
    this.told.push([utilization, saturated, sustained]);
    super.judge(utilization, saturated, sustained);
  }
}

class RecordingChanges extends LimitChangeLog {
  readonly seen: LimitChange[] = [];

  override maybeLog(change: LimitChange): void {
    this.seen.push(change);
  }
}

/** An AdmissionWindow over real parts; the loop's readings and the gate's callbacks are the test's. */
function windowOver() {
  const state = { inFlight: 3, sustained: false };
  const parts = {
    limiter: new RecordingLimiter(),
    latencies: new LatencyWindow(),
    changes: new RecordingChanges(20),
    loop: new ScriptedLoop(),
    hold: new RecordingHold(),
    drained: [] as number[],
    sustainedAsked: [] as number[],
  };
  const window = new AdmissionWindow({
    ...parts,
    inFlight: () => state.inFlight,
    sustainedAt: (now) => (parts.sustainedAsked.push(now), state.sustained),
    drain: (now) => parts.drained.push(now),
  });
  return { window, state, ...parts };
}

describe('AdmissionWindow', () => {
  let window: AdmissionWindow | undefined;
  afterEach(() => window?.stop());

  it('every window tells the hold the loop utilization, whether it is saturation (≥ 0.95) and whether the overload is sustained', async () => {
    const parts = windowOver();
    window = parts.window;
    window.start();
    parts.loop.utilization = 0.94;
    await parts.loop.windows();
    parts.loop.utilization = 0.95;
    parts.state.sustained = true;
    await parts.loop.windows();
    expect(parts.hold.told).toEqual([
      [0.94, false, false],
      [0.95, true, true],
    ]);
    // The gate is asked about sustained overload at the window's time, on the same clock.
    expect(parts.sustainedAsked).toHaveLength(2);
    expect(parts.sustainedAsked[1]).toBeGreaterThan(parts.sustainedAsked[0]!);
    expect(parts.sustainedAsked[1]).toBeLessThanOrEqual(performance.now());
  });

  it('feeds the limiter the median latency and peak in flight once ten requests finished, saturated when the loop was', async () => {
    const parts = windowOver();
    window = parts.window;
    window.start();
    for (const ms of [9, 1, 8, 2, 7, 3, 6, 4, 5, 10]) parts.latencies.record(ms);
    parts.latencies.observeInFlight(7);
    parts.loop.utilization = 0.97;
    parts.state.inFlight = 4;
    await parts.loop.windows();
    expect(parts.limiter.fed.map((f) => f.window)).toEqual([
      { latencyMs: 5, maxInFlight: 7, cpuSaturated: true },
    ]);
    // The window was taken: the next one starts empty, from the requests in flight now.
    expect(parts.latencies.size).toBe(0);
    expect(parts.changes.seen).toEqual([
      expect.objectContaining({
        limit: parts.limiter.limit,
        latencyMs: 5,
        cpuSaturated: true,
        inFlight: 4,
        loop: expect.objectContaining({ utilization: 0.97 }),
      }),
    ]);
    // Not grown: nothing to drain.
    expect(parts.drained).toEqual([]);
  });

  it('judges fewer than ten finished requests only once the window has run a second', async () => {
    const parts = windowOver();
    window = parts.window;
    const startedAt = performance.now();
    window.start();
    for (const ms of [3, 1, 2]) parts.latencies.record(ms);
    await parts.loop.windows();
    expect(parts.limiter.fed).toEqual([]);
    expect(parts.latencies.size).toBe(3); // kept for the extended window
    while (parts.limiter.fed.length === 0) await parts.loop.windows();
    expect(parts.limiter.fed[0]!.at - startedAt).toBeGreaterThanOrEqual(1_000);
    expect(parts.limiter.fed[0]!.window.latencyMs).toBe(2);
    // The loop was judged every 100 ms meanwhile, not once a second.
    expect(parts.loop.judged).toBeGreaterThanOrEqual(5);
  });

  it('a second with nothing finished feeds the limiter nothing, and the next second starts afresh', async () => {
    const parts = windowOver();
    window = parts.window;
    const startedAt = performance.now();
    window.start();
    while (performance.now() - startedAt < 1_100) await parts.loop.windows();
    expect(parts.limiter.fed).toEqual([]);
    // The empty window was closed: one finished request is not judged at once on its own.
    parts.latencies.record(5);
    await parts.loop.windows();
    expect(parts.limiter.fed).toEqual([]);
  });

  it('when the limit grew, waiters are drained into the new slots at the window time', async () => {
    const parts = windowOver();
    window = parts.window;
    window.start();
    for (let i = 0; i < 10; i++) parts.latencies.record(2);
    parts.limiter.grows = true;
    const before = performance.now();
    await parts.loop.windows();
    expect(parts.drained).toHaveLength(1);
    expect(parts.drained[0]).toBeGreaterThanOrEqual(before);
    expect(parts.changes.seen[0]).toMatchObject({ limit: 25 });
  });

  it('stop() ends the windows', async () => {
    const parts = windowOver();
    window = parts.window;
    window.start();
    await parts.loop.windows();
    window.stop();
    const judged = parts.loop.judged;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(parts.loop.judged).toBe(judged);
  });
});
