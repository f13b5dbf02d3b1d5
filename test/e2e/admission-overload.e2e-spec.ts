/**
 * Overload, for real: a child process with admission on, in front of a backend that serves one
 * request at a time (5 ms each, so 200 requests/s at most: a downstream with a fixed capacity,
 * reachable on a shared 2-core machine without burning CPU), driven by the open-loop generator
 * (bench/lib/open-loop.js) at 3x that capacity. Admitted requests keep a latency bounded relative
 * to the unloaded one, the rest are refused fast with 503 problem+json + Retry-After, the probe
 * port answers 200 within the manifests' 2 s timeout throughout, and once the load stops the
 * concurrency limit climbs back by itself. The same load without admission queues for seconds.
 */
import { BackendServer } from '../support/backend-server.js';
import { startChild, type Child } from '../support/child-process.js';
import { openLoop, pollProbes, PROBE_TIMEOUT_MS, type PhaseResult } from '../support/open-loop.js';

const SERVICE_MS = 5; // the backend's time per request: capacity 200/s
const CAPACITY_PER_S = 1000 / SERVICE_MS;
// The overload's length, and when it counts as settled: here the onset (a FIFO wait, then the
// queue judged standing and its oldest refused) is over within ~0.75 s, but on a busy CI runner
// it ran past 1 s; the bound applies to the last 3 s.
const OVERLOAD_S = 5;
const SETTLED_AFTER_MS = 2_000;
// The longest a request waits in the admission queue for a slot (the default, stated).
const QUEUE_TIMEOUT_MS = 2_000;

/** A backend with a fixed capacity: one request at a time, SERVICE_MS each, FIFO. */
function serialBackend(): BackendServer {
  const queue: (() => void)[] = [];
  let busy = false;
  const next = (): void => {
    const job = queue.shift();
    if (!job) return void (busy = false);
    busy = true;
    setTimeout(() => {
      job();
      next();
    }, SERVICE_MS);
  };
  return new BackendServer((_req, res) => {
    queue.push(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    if (!busy) next();
  });
}

/** Latencies of the requests answered 200 that were sent once the overload had settled, sorted. */
function settledOk(phase: PhaseResult): number[] {
  return phase
    .records!.filter(([offsetMs, , outcome]) => offsetMs >= SETTLED_AFTER_MS && outcome === 'ok')
    .map(([, latencyMs]) => latencyMs)
    .sort((x, y) => x - y);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.ceil(sorted.length * q) - 1]!;
}

/** The value of one series (`name` or `name{labels}` exactly as exposed) on /metrics. */
async function metric(child: Child, series: string): Promise<number> {
  const text = await (await fetch(`${child.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`${series} not in /metrics`);
  return Number(line.slice(series.length + 1));
}

function childEnv(backend: BackendServer, admission: boolean): Record<string, string> {
  return {
    LOG_LEVEL: 'info',
    ACCESS_LOG_ENABLED: 'false',
    ADMISSION_ENABLED: String(admission),
    // The connection hold answers a CPU-bound overload (admission-hold.e2e-spec.ts); here the
    // backend is the bottleneck, and a child starved of CPU by a busy machine must not flip it.
    ADMISSION_HOLD_CONNECTIONS: 'false',
    ADMISSION_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
    HTTP_MAX_CONNECTIONS: '1000',
    // The limiter is under test, not the blocked-loop backstop (a noisy machine can stall 1 s).
    EVENT_LOOP_MAX_DELAY_MS: '0',
    BACKEND_URLS: backend.url,
    // Nothing in front of the backend may refuse or give up first: no bulkhead limit, no retry,
    // no timeout shorter than the test.
    UPSTREAM_MAX_CONCURRENT: '10000',
    UPSTREAM_MAX_QUEUE: '10000',
    UPSTREAM_RETRY_MAX: '0',
    UPSTREAM_TIMEOUT_MS: '20000',
    UPSTREAM_HEADERS_TIMEOUT_MS: '20000',
    REQUEST_TIMEOUT_MS: '20000',
  };
}

describe('admission under an open-loop overload (3x a fixed-capacity backend)', () => {
  let backend: BackendServer;
  let child: Child;
  let unloaded: PhaseResult;
  let overload: PhaseResult;
  let after: PhaseResult;
  let probes: { path: string; status: number; ms: number }[];
  let refusal: Response | undefined;
  let refusalBody: Record<string, unknown> = {};
  let unloadedLimit: number;

  beforeAll(async () => {
    backend = await serialBackend().start();
    child = await startChild(childEnv(backend, true));
    const url = `${child.baseUrl}/api/fanout`;
    const poller = pollProbes(child.probeUrl!);
    // Warm-up: the limiter learns its baseline (ten 100 ms windows) at a light load.
    await openLoop(url, [{ rate: CAPACITY_PER_S / 4, durationS: 2 }]);
    unloadedLimit = await metric(child, 'http_server_admission_limit');
    const load = openLoop(url, [
      { rate: CAPACITY_PER_S / 4, durationS: 2 },
      { rate: CAPACITY_PER_S * 3, durationS: OVERLOAD_S, record: true },
      { rate: CAPACITY_PER_S / 4, durationS: 3, record: true },
    ]);
    // One refusal read whole, in the middle of the overload.
    await new Promise((r) => setTimeout(r, 3_000));
    for (let i = 0; i < 200 && !refusal; i++) {
      const res = await fetch(url);
      if (res.status === 503) {
        refusal = res;
        refusalBody = (await res.json()) as Record<string, unknown>;
      } else await res.arrayBuffer();
    }
    [unloaded, overload, after] = (await load) as [PhaseResult, PhaseResult, PhaseResult];
    probes = await poller.stop();
    const recovered = { ...after, records: after.records?.length };
    const loaded = { ...overload, records: overload.records?.length };
    process.stderr.write(`${JSON.stringify({ unloaded, loaded, recovered })}\n`);
  }, 120_000);

  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await backend?.close();
  });

  it('is overloaded for real: the offered load is 3x what the backend can serve', () => {
    expect(overload.sent).toBe(CAPACITY_PER_S * 3 * OVERLOAD_S);
    expect(overload.ok).toBeLessThan(overload.sent * 0.6);
    expect(unloaded.ok).toBe(unloaded.sent);
  });

  it('refuses the excess with 503 instead of queueing it', () => {
    expect(overload.refused).toBeGreaterThan(overload.sent * 0.3);
    expect(overload.timeouts).toBe(0);
    expect(overload.dropped).toBe(0);
  });

  it('refuses fast: once the queue stands, a refusal takes less time than an admitted request', () => {
    // Over the settled window, as the latency bound below: during the onset a request over the
    // limit waits in the FIFO like a burst's, and one refused there had waited up to the queue's
    // timeout. On a CI runner busy enough to stretch that onset, the whole phase's refusal p50
    // (292 ms) passed the admitted one's (260 ms), though every settled refusal came at once.
    const settledRefused = overload
      .records!.filter(
        ([offsetMs, , outcome]) => offsetMs >= SETTLED_AFTER_MS && outcome === 'refused',
      )
      .map(([, latencyMs]) => latencyMs)
      .sort((x, y) => x - y);
    const admitted = settledOk(overload);
    expect(settledRefused.length).toBeGreaterThan(100);
    expect(quantile(settledRefused, 0.5)).toBeLessThan(quantile(admitted, 0.5));
    expect(quantile(settledRefused, 0.99)).toBeLessThan(quantile(admitted, 0.99));
  });

  it('answers a refusal as problem+json CONCURRENCY_LIMITED with Retry-After', () => {
    expect(refusal?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refusal?.headers.get('retry-after')).toBe('1');
    expect(refusalBody).toMatchObject({ status: 503, code: 'CONCURRENCY_LIMITED' });
    expect(typeof refusalBody.limit).toBe('number');
  });

  it('keeps admitted latency bounded once the queue stands; the onset waits like a burst', () => {
    // Without admission the backend's queue grows by 2 s every second (last test). Here the
    // first ~0.5-1 s of overload looks like a burst: requests over the limit wait in the admission
    // queue (FIFO, up to ADMISSION_QUEUE_TIMEOUT_MS) until it stands; from then on admitted
    // requests wait behind at most the limit's worth of others, and the excess is refused.
    // The median is what the limit sets (at its floor of 20, 20 x 5 ms = 100 ms behind the
    // backend; the starting limit of 100 would be 500 ms). The tail is bounded by half the
    // admission queue's 2 s timeout, which a FIFO that never judged its queue standing would
    // reach: on a busy CI runner a stall of the test process (which hosts the backend and the
    // generator) put the settled p99 at 383 ms with the median at the floor's ~120 ms, so the
    // p99 goal lives in the overload benchmark (`npm run bench -- overload`), not here.
    const settled = settledOk(overload);
    expect(settled.length).toBeGreaterThan(100);
    const bound = Math.max(10 * unloaded.okP99Ms!, 250);
    expect(quantile(settled, 0.5)).toBeLessThan(bound);
    expect(quantile(settled, 0.99)).toBeLessThan(QUEUE_TIMEOUT_MS / 2);
    expect(overload.okMaxMs!).toBeLessThan(QUEUE_TIMEOUT_MS + bound);
  });

  it('answers every kubelet probe on the probe port with 200 within its timeout throughout', () => {
    expect(probes.length).toBeGreaterThan(20);
    const misses = probes.filter((p) => p.status !== 200 || p.ms >= PROBE_TIMEOUT_MS);
    expect(misses).toEqual([]);
  });

  it('recovers by itself once the load stops: the limit returns and requests are admitted', async () => {
    const lastSecond = after.records!.filter(([offsetMs]) => offsetMs >= 2_000);
    expect(lastSecond.length).toBeGreaterThan(0);
    expect(lastSecond.filter(([, , outcome]) => outcome !== 'ok')).toEqual([]);
    const limit = await metric(child, 'http_server_admission_limit');
    expect(limit).toBeGreaterThanOrEqual(unloadedLimit * 0.9);
    expect(await metric(child, 'http_server_admission_in_flight')).toBe(0);
    expect(
      await metric(child, 'http_server_admission_rejections_total{reason="concurrency_limit"}'),
    ).toBeGreaterThan(0);
  });

  it('without admission the same load queues: admitted latency grows far past the bound', async () => {
    // Like for like: the same phases, and the same settled window of each. The whole-phase p99
    // with admission includes the onset's FIFO wait (0.5-1.1 s here), which a 2 s queued arm's
    // ~4 s p99 only just cleared 5x of; the settled window is what admission bounds, and what the
    // plain server lets grow by 2 s every second (a request sent at 2-5 s waits 4-10 s).
    const plain = await startChild(childEnv(backend, false));
    try {
      const [, queued] = await openLoop(`${plain.baseUrl}/api/fanout`, [
        { rate: CAPACITY_PER_S / 4, durationS: 1 },
        { rate: CAPACITY_PER_S * 3, durationS: OVERLOAD_S, record: true },
      ]);
      expect(queued!.refused).toBe(0);
      const queuedSettled = settledOk(queued!);
      expect(queuedSettled.length).toBeGreaterThan(100);
      const admittedP99 = quantile(settledOk(overload), 0.99);
      process.stderr.write(
        `${JSON.stringify({ queuedSettledP50: quantile(queuedSettled, 0.5), admittedP99 })}\n`,
      );
      expect(quantile(queuedSettled, 0.5)).toBeGreaterThan(5 * admittedP99);
    } finally {
      plain.process.kill('SIGKILL');
      await plain.exited;
    }
  }, 60_000);
});
