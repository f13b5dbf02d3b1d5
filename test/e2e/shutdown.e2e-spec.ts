import { createServer, type AddressInfo, type Server } from 'node:net';
import { json, type JsonBody } from '../support/http.js';
import { startChild, type Child } from '../support/child-process.js';
import { eventually, until } from '../support/wait.js';

/** A failure bound for what a test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 15_000;

/** Requests the child has in flight, from its own gauge on the admin port. */
async function inFlight(child: Child): Promise<number> {
  const text = await (await fetch(`${child.adminUrl}/metrics`)).text();
  return Number(/^http_server_active_requests(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1]);
}

/** The first log line of the child with message `msg`, parsed. */
function logLine(child: Child, msg: string): JsonBody | undefined {
  const line = child
    .output()
    .split('\n')
    .find((l) => l.includes(`"msg":"${msg}"`));
  return line ? (JSON.parse(line) as JsonBody) : undefined;
}

describe('graceful shutdown (real child process, SIGTERM)', () => {
  it('drains 50 in-flight requests with 200, answers readiness 503 meanwhile, exits 0', async () => {
    // The requests outlast the drain delay by seconds, so all are still running when the
    // listener closes, however long they took to arrive.
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const requests = Array.from({ length: 50 }, () =>
      fetch(`${child.baseUrl}/hello?delay=5s`).then(async (r) => ({
        status: r.status,
        connection: r.headers.get('connection'),
        body: await r.text(),
      })),
    );
    await eventually(async () => (await inFlight(child)) === 50, EVENTUALLY_MS);
    // A load balancer has seen it ready: the drain delay is waited (see start-signals.drain).
    expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(200);
    child.process.kill('SIGTERM');
    // Readiness turns 503 during the drain delay while the listener still answers.
    let ready = await fetch(`${child.baseUrl}/readyz`);
    while (ready.status === 200) {
      await ready.arrayBuffer();
      ready = await fetch(`${child.baseUrl}/readyz`);
    }
    expect(ready.status).toBe(503);
    expect((await json(ready)).checks.lifecycle.reason).toBe('draining');
    // Liveness stays green while draining: the kubelet must not kill a draining pod.
    expect((await fetch(`${child.baseUrl}/healthz`)).status).toBe(200);

    const results = await Promise.all(requests);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.every((r) => r.connection === 'close')).toBe(true);
    // Exit 0 is itself the proof the drain finished inside SHUTDOWN_TIMEOUT_MS (past it: 1).
    const code = await child.exited;
    expect(code).toBe(0);
    expect(logLine(child, 'shutdown: step 1, readiness 503')?.inFlight).toBe(50);
    expect(child.output()).toContain('shutdown: step 7, exit');
  }, 120_000); // a 5 s wait and a 2 s drain on top of a start-up that may rebuild dist/

  it('a burst on keep-alive connections through SIGTERM: every answer is served or problem+json, never a bare 503', async () => {
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    // Seen ready by a load balancer (the drain delay is waited), and one slow request holds the
    // closing listener open while the burst meets it.
    expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(200);
    const slow = fetch(`${child.baseUrl}/hello?delay=3s`).then((r) => r.status);
    const answers: Array<{ status: number; type: string | null }> = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${child.baseUrl}/hello`);
          await res.arrayBuffer();
          answers.push({ status: res.status, type: res.headers.get('content-type') });
        } catch {
          // A connection the closing listener refused or closed: the client's to retry.
        }
      }
    };
    const workers = Array.from({ length: 50 }, worker);
    await until(() => answers.length >= 500, EVENTUALLY_MS);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    stop = true;
    await Promise.all(workers);
    expect(await slow).toBe(200);
    // Fastify's own closing answer was a bare JSON 503 with no code, request id or log line.
    const bare = answers.filter((a) => a.status !== 200 && !a.type?.includes('problem+json'));
    expect(bare).toEqual([]);
  });

  it('exits non-zero and says why when a request outlives SHUTDOWN_TIMEOUT_MS', async () => {
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '800',
      REQUEST_TIMEOUT_MS: '60000',
    });
    const stuck = fetch(`${child.baseUrl}/hello?delay=20s`).catch(() => undefined);
    await eventually(async () => (await inFlight(child)) === 1, EVENTUALLY_MS);
    child.process.kill('SIGTERM');
    const code = await child.exited;
    expect(code).not.toBe(0);
    expect(child.output()).toContain('shutdown deadline passed with requests still open');
    expect(child.output()).toContain('/hello?delay=20s');
    await stuck;
  });

  it('a second signal forces exit at once', async () => {
    const child = await startChild({
      SHUTDOWN_DRAIN_DELAY_MS: '30000',
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(200);
    child.process.kill('SIGTERM');
    await until(
      () => logLine(child, 'shutdown: step 1, readiness 503') !== undefined,
      EVENTUALLY_MS,
    );
    const started = Date.now();
    child.process.kill('SIGINT');
    // 130 is the forced exit; the first signal alone would exit 0 after its 30 s drain delay.
    const code = await child.exited;
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('configuration errors stop start-up', () => {
  it('exits non-zero naming every bad variable', async () => {
    const child = await startChild(
      { PORT: 'eighty', HELLO_MAX_DELAY_MS: '-1', DB_POOL_MAX: '0' },
      { waitReady: false },
    );
    const code = await child.exited;
    expect(code).not.toBe(0);
    for (const name of ['PORT', 'HELLO_MAX_DELAY_MS', 'DB_POOL_MAX']) {
      expect(child.output()).toContain(name);
    }
  });

  const TAKEN = 'a port in use';
  describe('a listener that cannot open names the variables that chose it (exit 78, no stack)', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      port = (taken.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    // [variable, its value (TAKEN: a port another process listens on), what says so]
    it.each([
      ['PORT', TAKEN, 'EADDRINUSE'],
      ['ADMIN_PORT', TAKEN, 'EADDRINUSE'],
      ['PROBE_PORT', TAKEN, 'EADDRINUSE'],
      ['HOST', '192.0.2.1', 'EADDRNOTAVAIL'],
      ['ADMIN_HOST', 'nosuch.invalid', 'ENOTFOUND'],
      // A host that is no name or address at all (an invisible character, the resolver's
      // EINVAL here before) is refused with the configuration, before listening:
      // src/config/listen-host.field.spec.ts and config-errors.e2e-spec.ts.
    ])('%s=%s', async (name, value, code) => {
      const given = value === TAKEN ? String(port) : value;
      const child = await startChild({ [name]: given }, { waitReady: false });
      expect(await child.exited).toBe(78);
      const said = child
        .output()
        .split('\n')
        .find((line) => line.includes('cannot listen'));
      expect(said).toContain(`${name}=${given}`);
      expect(said).toContain(code);
      expect(child.output()).not.toMatch(/^\s+at /m);
    });
  });
});
