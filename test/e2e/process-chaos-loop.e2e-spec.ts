/**
 * The event-loop fault on a real child process with admission on: a blocked main loop is what
 * admission's loop-delay refusal and the probe thread exist for. While the loop is held, the
 * probe port keeps answering (liveness from the heartbeat, readiness from its last answer);
 * requests that waited out the block are refused with SERVER_OVERLOADED instead of being
 * started late; a block longer than the stall limit fails liveness, and it recovers after.
 */
import { AdminClient } from '../support/admin-client.js';
import { startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json } from '../support/http.js';
import { eventually } from '../support/wait.js';

// Admission refuses new requests while a 100 ms window's worst loop delay passes this.
const MAX_DELAY_MS = 200;

describe('process chaos: event-loop block (real child process, admission on)', () => {
  let child: Child;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;
  const admin = new AdminClient(() => child.adminUrl);
  const loopRefusals = async () =>
    (await admin.metric('http_server_admission_rejections_total', {
      reason: 'event_loop_delay',
    })) ?? NaN;
  const blocked = async () => (await admin.metric('chaos_event_loop_blocked_seconds_total')) ?? NaN;
  /** Resolves with what answered and in which order it completed. */
  const track = (order: string[], name: string, url: string) =>
    fetch(url).then(async (res) => {
      order.push(name);
      // /hello answers text; refusals and probes answer JSON.
      const isJson = res.headers.get('content-type')?.includes('json') ?? false;
      return { status: res.status, body: isJson ? await json(res) : { text: await res.text() } };
    });

  beforeAll(async () => {
    db = await defaultDatabaseEnv();
    child = await startChild({
      ...db.env,
      LOG_LEVEL: 'info',
      ADMISSION_ENABLED: 'true',
      EVENT_LOOP_MAX_DELAY_MS: String(MAX_DELAY_MS),
    });
  });
  afterEach(() => admin.request('DELETE', '/chaos/process'));
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await db.drop();
  });

  it('once: probes answer during the block, requests that waited it out are refused, then served again', async () => {
    expect((await fetch(`${child.probeUrl}/readyz`)).status).toBe(200); // an answer to fall back on
    const refusedBefore = await loopRefusals();
    const blockMs = 2_500;
    const put = await admin.request('PUT', '/chaos/process/event-loop', { blockMs, mode: 'once' });
    expect(put.status).toBe(202);

    const order: string[] = [];
    const publics = Array.from({ length: 10 }, (_, i) =>
      track(order, `public${i}`, `${child.baseUrl}/hello`),
    );
    const liveness = track(order, 'healthz', `${child.probeUrl}/healthz`);
    const readiness = track(order, 'readyz', `${child.probeUrl}/readyz`);
    expect((await liveness).status).toBe(200);
    expect((await readiness).status).toBe(200);
    const answers = await Promise.all(publics);
    // The probe thread answered while the main loop was still held: before any public request.
    const firstPublic = order.findIndex((name) => name.startsWith('public'));
    expect(order.indexOf('healthz')).toBeLessThan(firstPublic);
    expect(order.indexOf('readyz')).toBeLessThan(firstPublic);

    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const { body } of refused) expect(body.code).toBe('SERVER_OVERLOADED');
    expect(await loopRefusals()).toBeGreaterThan(refusedBefore);
    expect(await blocked()).toBeGreaterThanOrEqual(blockMs / 1000);
    await eventually(async () => (await fetch(`${child.baseUrl}/hello`)).status === 200, 10_000);
  });

  it('once, longer than the stall limit: liveness fails with EVENT_LOOP_STALLED, then recovers', async () => {
    // probe.server.ts fails /healthz once the heartbeat is 5 s old.
    await admin.request('PUT', '/chaos/process/event-loop', { blockMs: 7_000 });
    let stalled: Record<string, unknown> | undefined;
    await eventually(
      async () => {
        const res = await fetch(`${child.probeUrl}/healthz`);
        if (res.status === 503) stalled = await json(res);
        return res.status === 503;
      },
      30_000,
      200,
    );
    expect(stalled?.code).toBe('EVENT_LOOP_STALLED');
    await eventually(async () => (await fetch(`${child.probeUrl}/healthz`)).status === 200, 30_000);
  });

  it('every-request: each public request holds the loop, admission refuses some, probes answer; stop ends it', async () => {
    const blockMs = 1_000;
    const put = await admin.request('PUT', '/chaos/process/event-loop', {
      blockMs,
      mode: 'every-request',
    });
    expect(put.status).toBe(202);
    expect((await json(put)).eventLoop).toMatchObject({ blockMs, mode: 'every-request' });
    expect(await admin.metric('chaos_process_fault_active', { fault: 'event-loop' })).toBe(1);
    const blockedBefore = await blocked();
    const refusedBefore = await loopRefusals();

    // Each round: a request that holds the loop, then, while it does, a second one and a probe.
    // The second waits out the block in the socket and meets admission's loop check after it.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const first = fetch(`${child.baseUrl}/hello`);
      await new Promise((r) => setTimeout(r, blockMs / 4));
      const second = fetch(`${child.baseUrl}/hello`);
      expect((await fetch(`${child.probeUrl}/healthz`)).status).toBe(200);
      statuses.push(...(await Promise.all([first, second])).map((res) => res.status));
    }
    const served = statuses.filter((s) => s === 200).length;
    expect(served).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(await loopRefusals()).toBeGreaterThan(refusedBefore);
    expect((await blocked()) - blockedBefore).toBeGreaterThanOrEqual((served * blockMs) / 1000);

    const stop = await admin.request('DELETE', '/chaos/process/event-loop');
    expect(await json(stop)).toMatchObject({ stopped: true, eventLoop: null });
    const after = await blocked();
    await eventually(async () => (await fetch(`${child.baseUrl}/hello`)).status === 200, 10_000);
    expect(await blocked()).toBe(after);
  });
});
