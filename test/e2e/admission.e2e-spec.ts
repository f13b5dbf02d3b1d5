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
    const holder = fetch(`${app.baseUrl}/hello?delay=1s`);
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 1),
    ).toBe(true);
    const started = performance.now();
    const refused = await fetch(`${app.baseUrl}/hello`);
    const refusedMs = performance.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toMatchObject({ code: 'CONCURRENCY_LIMITED', limit: 1 });
    const held = await holder;
    expect(held.status).toBe(200);
    await held.text();
    // Refused without waiting for the slot: well before the holder's 1 s wait ended.
    expect(refusedMs).toBeLessThan(1_000);
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
    const holder = fetch(`${app.baseUrl}/hello?delay=1s`);
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 1),
    ).toBe(true);
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
    await (await holder).text();
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
    expect(await baseline()).toBeGreaterThanOrEqual(0.3);
  });
});

/**
 * A request's deadline counts from its arrival, its wait in the admission queue included: the
 * deadline timer started when the request was admitted, so a 600 ms deadline that waited 400 ms
 * for a slot still had 600 ms to run, and answered 200 at 700 ms.
 */
describe('admission queue and the request deadline', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      ...pinnedAdmission(2),
      ADMISSION_QUEUE_MAX: '10',
      ADMISSION_QUEUE_TIMEOUT_MS: '2000',
    });
  });
  afterAll(() => app.close());

  // node:http without an agent, as metric() above: no kept-alive socket outlives a test.
  const send = (path: string, headers: Record<string, string> = {}) => {
    let request!: ReturnType<typeof get>;
    let text = '';
    const answered = new Promise<number | undefined>((resolve) => {
      request = get(`${app.baseUrl}${path}`, { agent: false, headers }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(res.statusCode));
      });
      request.on('error', () => resolve(undefined));
    });
    return { request, answered, body: () => text };
  };

  it('the time a request waited for a slot is spent from its deadline', async () => {
    // Warm: a first scrape and a first delay on a cold app took long enough that the holders
    // below had little of their 400 ms left when the late request came, and it answered 200.
    await metric(app, 'http_server_admission_in_flight');
    expect(await send('/delay/1ms').answered).toBe(200);
    const holders = [0, 1].map(() => send('/delay/400ms'));
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 2),
    ).toBe(true);
    // Queued until a holder ends (≥ 400 ms after it started), it has at most 200 ms left for a
    // 300 ms wait.
    const late = send('/delay/300ms', { 'x-request-timeout': '600ms' });
    expect(await late.answered).toBe(504);
    expect(JSON.parse(late.body())).toMatchObject({ code: 'REQUEST_DEADLINE_EXCEEDED' });
    expect(await Promise.all(holders.map((h) => h.answered))).toEqual([200, 200]);
  });

  // Never routed, such a request is in no histogram or access line: it was counted nowhere.
  it('a client that leaves while queued is counted as abandoned, not refused or served', async () => {
    const abandoned = () => metric(app, 'http_server_admission_abandoned_total');
    const refused = () =>
      metric(app, 'http_server_admission_rejections_total{reason="concurrency_limit"}');
    const [abandonedBefore, refusedBefore] = [await abandoned(), await refused()];
    const holders = [0, 1].map(() => send('/delay/1s'));
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_in_flight')) === 2),
    ).toBe(true);
    const leaving = [0, 1, 2].map(() => send('/hello'));
    expect(
      await eventually(async () => (await metric(app, 'http_server_admission_queued')) === 3),
    ).toBe(true);
    for (const { request } of leaving) request.destroy();
    expect(await eventually(async () => (await abandoned()) === abandonedBefore + 3)).toBe(true);
    expect(await Promise.all(holders.map((h) => h.answered))).toEqual([200, 200]);
    expect(await refused()).toBe(refusedBefore);
    expect(await abandoned()).toBe(abandonedBefore + 3);
  });
});
