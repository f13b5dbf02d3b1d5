/**
 * Admission's contract on real sockets, with the limit pinned to 1 (min = initial = max) so each
 * rule shows deterministically: over the limit a request is refused at once with problem+json;
 * probes are never limited, on either port; a slot is released exactly once however the request
 * ends (finished, or abandoned by its client).
 */
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { pinnedAdmission, startTestApp, type TestApp } from '../support/test-app.js';

/** Admission on with its limit pinned to 1: each rule shows deterministically. */
const LIMIT_OF_ONE = pinnedAdmission(1);

async function metric(app: TestApp, series: string): Promise<number> {
  // A fresh connection each time (node:http, no agent): a kept-alive admin socket delayed
  // app.close() past jest's hook timeout in this suite (the admin listener waited for it).
  const text = await new Promise<string>((resolve, reject) => {
    get(`${app.adminUrl}/metrics`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`${series} not in /metrics`);
  return Number(line.slice(series.length + 1));
}

/** GET on a fresh connection (node:http without an agent, as metric(): no kept-alive socket
 * outlives a test); `answered` resolves with the status, undefined if the request failed, and
 * `settled()` says whether it has. */
function sendTo(app: TestApp, path: string, headers: Record<string, string> = {}) {
  let request!: ReturnType<typeof get>;
  let text = '';
  let done = false;
  const answered = new Promise<number | undefined>((resolve) => {
    request = get(`${app.baseUrl}${path}`, { agent: false, headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(res.statusCode));
    });
    request.on('error', () => resolve(undefined));
  }).finally(() => (done = true));
  return { request, answered, body: () => text, settled: () => done };
}

/**
 * Takes the one slot with a request that holds it until the test lets go (`request.destroy()`:
 * a client that leaves releases its slot). A holder on a timer of its own (`?delay=1s`) could
 * be answered before a slow machine had read the slot taken and sent the next request, which
 * then found the slot free.
 */
async function holdTheSlot(app: TestApp) {
  const holder = sendTo(app, '/delay/30s');
  expect(
    await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 1),
  ).toBe(true);
  return holder;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(20);
  }
  return check();
}

describe('admission with a concurrency limit of 1', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(LIMIT_OF_ONE);
  });

  afterAll(async () => {
    await app.close();
  });

  it('refuses a request over the limit at once with 503 CONCURRENCY_LIMITED problem+json', async () => {
    const holder = await holdTheSlot(app);
    const refused = await fetch(`${app.baseUrl}/hello`);
    // Refused without waiting for the slot: answered while the holder still holds it.
    expect(holder.settled()).toBe(false);
    expect(await metric(app, 'http_server_admission_in_flight')).toBe(1);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toMatchObject({ code: 'CONCURRENCY_LIMITED', limit: 1 });
    holder.request.destroy();
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 0),
    ).toBe(true);
    expect(
      await metric(app, 'http_server_admission_rejections_total{reason="concurrency_limit"}'),
    ).toBeGreaterThanOrEqual(1);
    // And on the status page's errors by code, with every other problem answered.
    const errors = await new Promise<Array<{ code: string }>>((resolve, reject) => {
      get(`${app.adminUrl}/status.json`, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body).errors));
      }).on('error', reject);
    });
    expect(errors.map((e) => e.code)).toContain('CONCURRENCY_LIMITED');
  });

  it('never limits probes: both ports answer while the only slot is taken', async () => {
    const holder = await holdTheSlot(app);
    for (const base of [app.baseUrl, app.probeUrl]) {
      for (const path of ['/healthz', '/readyz', '/startupz']) {
        // Fresh connections, as the kubelet makes them.
        const status = await new Promise<number | undefined>((resolve) =>
          get(`${base}${path}`, { agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          }).on('error', () => resolve(undefined)),
        );
        expect({ url: `${base}${path}`, status }).toEqual({ url: `${base}${path}`, status: 200 });
      }
    }
    // Every probe was answered while the slot was still taken.
    expect(holder.settled()).toBe(false);
    holder.request.destroy();
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 0),
    ).toBe(true);
  });
});

describe('admission slots', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(LIMIT_OF_ONE);
  });

  afterAll(async () => {
    await app.close();
  });

  it('releases the slot of a request its client abandoned, exactly once', async () => {
    const controller = new AbortController();
    const abandoned = fetch(`${app.baseUrl}/hello?delay=10s`, { signal: controller.signal }).catch(
      () => 'aborted',
    );
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 1),
    ).toBe(true);
    controller.abort();
    expect(await abandoned).toBe('aborted');
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 0),
    ).toBe(true);
    // Admitted again at once, and the count does not go below zero once it finishes.
    const next = await fetch(`${app.baseUrl}/hello`);
    expect(next.status).toBe(200);
    await next.text();
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 0),
    ).toBe(true);
    expect(await metric(app, 'http_server_admission_in_flight')).toBe(0);
  });
});

/**
 * The limiter's latency samples, on an app of its own: a request answered by an earlier test
 * would be a sample of its own in the window this one reads.
 */
describe('admission latency samples', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(LIMIT_OF_ONE);
  });

  afterAll(async () => {
    await app.close();
  });

  it('learns latency only from answered requests: an abandoned one is no sample for the limiter', async () => {
    const baseline = () => metric(app, 'http_server_admission_baseline_latency_seconds');
    expect(await baseline()).toBe(0);
    // Clients that leave a few ms into their request: were their times samples, the limiter's
    // baseline (the lowest window median) would read them as fast answers.
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const abandoned = fetch(`${app.baseUrl}/hello?delay=10s`, {
        signal: controller.signal,
      }).catch(() => 'aborted');
      expect(
        await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 1),
      ).toBe(true);
      controller.abort();
      expect(await abandoned).toBe('aborted');
      expect(
        await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 0),
      ).toBe(true);
    }
    // Then answered requests of 300 ms each, until a window has been judged.
    for (let i = 0; i < 20 && (await baseline()) === 0; i++) {
      const answered = await fetch(`${app.baseUrl}/hello?delay=300ms`);
      expect(answered.status).toBe(200);
      await answered.text();
    }
    // An abandoned request's sample would sit near 0.01 s. Node's timers count whole
    // milliseconds of the loop's cached clock, so a 300 ms wait can end 0.1 ms short of 300 ms
    // on the request's own clock (seen once: 0.29989).
    expect(await baseline()).toBeGreaterThanOrEqual(0.299);
  });
});

/**
 * A request's deadline counts from its arrival, its wait in the admission queue included: the
 * deadline timer started when the request was admitted, so a 3 s deadline that waited 1.5 s for
 * a slot still had 3 s to run, and answered 200 after its 2 s of work.
 */
describe('admission queue and the request deadline', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      ...pinnedAdmission(2),
      ADMISSION_QUEUE_MAX: '10',
      ADMISSION_QUEUE_TIMEOUT_MS: '10000',
      // Waits of seconds here are the test's own, not overload: at the default 250 ms, a
      // waiter still queued at the second checkpoint was cut to 5 ms and refused 503, sooner
      // than the test let the holders go.
      ADMISSION_QUEUE_STANDING_MS: '10000',
    });
  });
  afterAll(() => app.close());

  const send = (path: string, headers: Record<string, string> = {}) => sendTo(app, path, headers);

  it('the time a request waited for a slot is spent from its deadline', async () => {
    // Slots held until the test lets go of them (a client that leaves releases its slot), so
    // how long the late request waits is the test's choice, not the machine's speed.
    const holders = [0, 1].map(() => send('/delay/30s'));
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 2),
    ).toBe(true);
    const late = send('/delay/2s', { 'x-request-timeout': '3s' });
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_queued')) === 1),
    ).toBe(true);
    // Queued for at least 1.5 s, it has at most 1.5 s left for a 2 s wait.
    await sleep(1_500);
    for (const { request } of holders) request.destroy();
    expect(await late.answered).toBe(504);
    expect(JSON.parse(late.body())).toMatchObject({ code: 'REQUEST_DEADLINE_EXCEEDED' });
  });

  // Never routed, such a request is in no histogram or access line: it was counted nowhere.
  it('a client that leaves while queued is counted as abandoned, not refused or served', async () => {
    const abandoned = () => metric(app, 'http_server_admission_abandoned_total');
    const refused = () =>
      metric(app, 'http_server_admission_rejections_total{reason="concurrency_limit"}');
    const [abandonedBefore, refusedBefore] = [await abandoned(), await refused()];
    const holders = [0, 1].map(() => send('/delay/30s'));
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 2),
    ).toBe(true);
    const leaving = [0, 1, 2].map(() => send('/hello'));
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_queued')) === 3),
    ).toBe(true);
    for (const { request } of leaving) request.destroy();
    expect(await eventually(async () => (await abandoned()) === abandonedBefore + 3)).toBe(true);
    expect(await metric(app, 'http_server_admission_queued')).toBe(0);
    // The holders leave after being admitted: released slots, not abandoned waits.
    for (const { request } of holders) request.destroy();
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 0),
    ).toBe(true);
    expect(await refused()).toBe(refusedBefore);
    expect(await abandoned()).toBe(abandonedBefore + 3);
  });
});

/**
 * What counts as a standing queue is ADMISSION_QUEUE_STANDING_MS: a waiter behind requests that
 * hold their slots for a second is overload at the default 250 ms (two checkpoints in a row
 * found it waiting: cut to 5 ms, refused), and an ordinary wait where the interval outlasts it.
 * The slot is held until the test lets go of it: a holder of 1 s on its own timer left a waiter
 * sent more than half a second later (a slow machine reading the slot taken) served at the
 * default too.
 */
describe('admission queue: the standing interval', () => {
  const QUEUE_TIMEOUT_MS = 10_000;

  /** The one slot held, a waiter sent behind it: `then` runs, then the holder leaves. */
  async function waiterBehindAHolder(
    env: Record<string, string>,
    then: (waiter: ReturnType<typeof sendTo>, app: TestApp) => Promise<void>,
  ) {
    const app = await startTestApp({
      ...pinnedAdmission(1),
      ADMISSION_QUEUE_MAX: '10',
      ADMISSION_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
      ...env,
    });
    try {
      const holder = await holdTheSlot(app);
      const sent = performance.now();
      const waiter = sendTo(app, '/hello');
      await then(waiter, app);
      const settledMs = waiter.settled() ? performance.now() - sent : undefined;
      holder.request.destroy();
      return { status: await waiter.answered, body: waiter.body(), settledMs };
    } finally {
      await app.close();
    }
  }

  it('at the default, a waiter still queued at two checkpoints is refused as sustained overload', async () => {
    const { status, body, settledMs } = await waiterBehindAHolder({}, async (waiter) => {
      await waiter.answered;
    });
    expect(status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ code: 'CONCURRENCY_LIMITED' });
    // Refused while the slot was still taken, and before its own wait's end, which refuses
    // with the same code: the standing queue ended it.
    expect(settledMs).toBeLessThan(QUEUE_TIMEOUT_MS);
  });

  it('with an interval longer than the wait, the same waiter is served', async () => {
    const { status } = await waiterBehindAHolder(
      { ADMISSION_QUEUE_STANDING_MS: '10000' },
      async (waiter, app) => {
        expect(
          await eventually(async () => (await metric(app, 'http_server_admission_queued')) === 1),
        ).toBe(true);
        // A second in the queue: four checkpoints of the default interval, none of this one.
        await sleep(1_000);
        expect(waiter.settled()).toBe(false);
      },
    );
    expect(status).toBe(200);
  });
});
