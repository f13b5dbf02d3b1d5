/**
 * Process chaos (admin /chaos/process) on a real child process: each fault is validated and
 * guarded like every admin mutation, shows in GET state and /metrics, does what it is designed
 * to do, and stops. The event-loop block has its own file (process-chaos-loop.e2e-spec.ts).
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { totalmem } from 'node:os';
import { AdminClient } from '../support/admin-client.js';
import { startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json } from '../support/http.js';
import { eventually } from '../support/wait.js';

const TOKEN = 'process-chaos-test-token-0123456789';
const MIB = 1024 * 1024;
const OFF = {
  eventLoop: null,
  cpu: null,
  memory: null,
  liveness: null,
  slowBody: null,
  exit: null,
};

describe('process chaos on the admin port (real child process)', () => {
  let child: Child;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;
  const admin = new AdminClient(() => child.adminUrl, TOKEN);
  const state = async () => json(await admin.request('GET', '/chaos/process'));
  const active = (fault: string) => admin.metric('chaos_process_fault_active', { fault });

  beforeAll(async () => {
    db = await defaultDatabaseEnv();
    child = await startChild({ ...db.env, LOG_LEVEL: 'info', ADMIN_TOKEN: TOKEN });
  });
  afterEach(() => admin.request('DELETE', '/chaos/process'));
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await db.drop();
  });

  it('starts with every fault off, in GET state and in chaos_process_fault_active', async () => {
    expect(await state()).toEqual(OFF);
    for (const fault of ['event-loop', 'cpu', 'memory', 'liveness', 'slow-body', 'exit']) {
      expect(await active(fault)).toBe(0);
    }
  });

  it('refuses a fault without the admin token (401) or with a non-JSON body (415)', async () => {
    const anonymous = await fetch(`${child.adminUrl}/chaos/process/cpu`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"share":1}',
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    const form = await fetch(`${child.adminUrl}/chaos/process/exit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
      body: '{"code":1}',
    });
    expect(form.status).toBe(415);
    expect(await state()).toEqual(OFF);
  });

  it.each([
    ['/event-loop', { blockMs: 0 }, 'blockMs'],
    ['/event-loop', { blockMs: 100, mode: 'always' }, 'mode'],
    ['/event-loop', { blockMs: '100' }, 'blockMs'],
    ['/event-loop', {}, 'blockMs'],
    ['/cpu', { share: 1.5 }, 'share'],
    ['/cpu', { share: 0.5, workers: 10_000 }, 'workers'],
    ['/cpu', { share: 0.5, durationMs: 86_400_000 }, 'durationMs'],
    ['/memory', { mbPerMinute: 10 }, 'capMb'],
    ['/memory', { mbPerMinute: -1, capMb: 10 }, 'mbPerMinute'],
    // Named as on the public port: the field was `body`, its message zod's `Unrecognized key`.
    ['/memory', { mbPerMinute: 10, capMb: 10, extra: 1 }, 'extra'],
    // 16 MB a step at most: a 1 GB step held the main thread for seconds.
    ['/memory', { mbPerMinute: 961, capMb: 10 }, 'mbPerMinute'],
    ['/slow-body', { chunkBytes: 0 }, 'chunkBytes'],
    ['/slow-body', { intervalMs: 1.5 }, 'intervalMs'],
    ['/liveness', { reason: '' }, 'reason'],
    ['/exit', { code: 256 }, 'code'],
    ['/exit', { code: 1, delayMs: -1 }, 'delayMs'],
    // JSON null is a body, not the absence of one: /exit took it for {} and exited with code 1.
    ['/exit', null, 'body'],
    ['/event-loop', null, 'body'],
  ])('%s with %j → 400 problem+json naming %s, nothing started', async (path, body, field) => {
    const method = path === '/exit' ? 'POST' : 'PUT';
    const res = await admin.request(method, `/chaos/process${path}`, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(res);
    expect(problem.code).toBe('INVALID_INPUT');
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await state()).toEqual(OFF);
  });

  it('cpu: the burn shows in process_cpu_seconds_total and its own counter, and stops', async () => {
    const cpu = async () => (await admin.metric('process_cpu_seconds_total')) ?? NaN;
    const burned = async () => (await admin.metric('chaos_cpu_burn_seconds_total')) ?? NaN;
    const windowOf = async (ms: number) => {
      const before = await cpu();
      await new Promise((r) => setTimeout(r, ms));
      return (await cpu()) - before;
    };
    const idle = await windowOf(1_000);
    const start = await admin.request('PUT', '/chaos/process/cpu', { share: 1, workers: 1 });
    expect(start.status).toBe(202);
    expect((await json(start)).cpu).toMatchObject({ share: 1, workers: 1, durationMs: 300_000 });
    expect(await active('cpu')).toBe(1);
    await eventually(async () => (await burned()) > 0, 10_000);
    const burning = await windowOf(1_000);
    expect(burning).toBeGreaterThan(idle);

    const stop = await admin.request('DELETE', '/chaos/process/cpu');
    expect(await json(stop)).toMatchObject({ stopped: true, cpu: null });
    expect(await active('cpu')).toBe(0);
    const after = await burned();
    await new Promise((r) => setTimeout(r, 300)); // several burn periods: none is counted
    expect(await burned()).toBe(after);
  });

  it('memory: grows to its cap and no further, visible in RSS and chaos_memory_held_bytes; stop releases it', async () => {
    const rss = async () => (await admin.metric('process_resident_memory_bytes')) ?? NaN;
    const before = await rss();
    const capMb = 40;
    // 16 MB a second: the cap is reached within a few steps.
    const res = await admin.request('PUT', '/chaos/process/memory', { mbPerMinute: 960, capMb });
    expect(res.status).toBe(202);
    // Nothing is held yet: the first step waits its second like the others, off the PUT's turn.
    expect((await json(res)).memory).toMatchObject({ mbPerMinute: 960, capMb, heldBytes: 0 });
    await eventually(async () => (await state()).memory.heldBytes === capMb * MIB, 20_000, 100);
    expect(await admin.metric('chaos_memory_held_bytes')).toBe(capMb * MIB);
    expect((await rss()) - before).toBeGreaterThan((capMb / 2) * MIB);
    // Steps keep firing at the cap; none adds to it.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await state()).memory.heldBytes).toBe(capMb * MIB);

    const held = await rss();
    expect((await json(await admin.request('DELETE', '/chaos/process/memory'))).memory).toBeNull();
    expect(await admin.metric('chaos_memory_held_bytes')).toBe(0);
    expect(await active('memory')).toBe(0);
    // Returned at once, not at some later garbage collection.
    expect(held - (await rss())).toBeGreaterThan((capMb / 2) * MIB);
  });

  it('memory: a cap above the memory this process may have is refused, naming capMb', async () => {
    const { limits } = await json(await fetch(`${child.baseUrl}/version`));
    const limit = Math.min(
      typeof limits.memoryBytes === 'number' ? limits.memoryBytes : Infinity,
      totalmem(),
    );
    const capMb = Math.floor(limit / MIB) + 1;
    const res = await admin.request('PUT', '/chaos/process/memory', { mbPerMinute: 1, capMb });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(res)).errors.map((e: { field: string }) => e.field)).toEqual(['capMb']);
    expect(await state()).toEqual(OFF);
  });

  it('liveness: /healthz answers 503 on the probe port and the public port while readiness stays 200', async () => {
    const probe = (path: string) => fetch(`${child.probeUrl}${path}`);
    const put = await admin.request('PUT', '/chaos/process/liveness', { reason: 'restart me' });
    expect(put.status).toBe(202);
    await eventually(async () => (await probe('/healthz')).status === 503, 10_000);
    const failed = await probe('/healthz');
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
    expect(await json(failed)).toMatchObject({ code: 'LIVENESS_FAILED', detail: 'restart me' });
    const publicLiveness = await fetch(`${child.baseUrl}/healthz`);
    expect(publicLiveness.status).toBe(503);
    expect((await json(publicLiveness)).code).toBe('LIVENESS_FAILED');
    // Readiness keeps its own rules: a pod about to be restarted is not also pulled out of rotation.
    expect((await probe('/readyz')).status).toBe(200);
    expect(await active('liveness')).toBe(1);

    await admin.request('DELETE', '/chaos/process/liveness');
    await eventually(async () => (await probe('/healthz')).status === 200, 10_000);
    expect((await fetch(`${child.baseUrl}/healthz`)).status).toBe(200);
  });

  it('DELETE /chaos/process answers stopped: whether any fault was on, as each DELETE does', async () => {
    await admin.request('PUT', '/chaos/process/liveness', {});
    const stopAll = await admin.request('DELETE', '/chaos/process');
    expect(stopAll.status).toBe(200);
    expect(await json(stopAll)).toEqual({ stopped: true, ...OFF });
    expect(await json(await admin.request('DELETE', '/chaos/process'))).toEqual({
      stopped: false,
      ...OFF,
    });
  });

  it('exit: one still waiting its delay shows in state and is cancelled by DELETE', async () => {
    const res = await admin.request('POST', '/chaos/process/exit', { code: 9, delayMs: 600_000 });
    expect(res.status).toBe(202);
    expect((await json(res)).exit).toMatchObject({ code: 9, delayMs: 600_000 });
    expect(await active('exit')).toBe(1);
    const cancel = await admin.request('DELETE', '/chaos/process/exit');
    expect(await json(cancel)).toMatchObject({ stopped: true, exit: null });
    expect(await active('exit')).toBe(0);
    expect(child.process.exitCode).toBeNull();
    expect((await fetch(`${child.baseUrl}/healthz`)).status).toBe(200);
  });

  it('slow-body: a public answer arrives in many chunks spread over time; probes do not', async () => {
    const normal = await fetch(`${child.baseUrl}/api/info`);
    expect(normal.headers.get('content-length')).not.toBeNull();
    const expected = Object.keys(await json(normal));
    const chunkBytes = 16;
    const intervalMs = 40;
    await admin.request('PUT', '/chaos/process/slow-body', { chunkBytes, intervalMs });

    const { headers, chunks, body } = await readChunks(`${child.baseUrl}/api/info`);
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['content-length']).toBeUndefined();
    expect(Object.keys(JSON.parse(body) as object)).toEqual(expected);
    const pieces = Math.ceil(Buffer.byteLength(body) / chunkBytes);
    expect(chunks.length).toBeGreaterThan(pieces / 2);
    // The chunks waited their interval: (pieces - 1) intervals between the first and the last,
    // halved so that a client turn delayed by a busy machine cannot make this fail.
    expect(chunks.at(-1)! - chunks[0]!).toBeGreaterThanOrEqual(((pieces - 1) * intervalMs) / 2);

    const probe = await readChunks(`${child.baseUrl}/healthz`);
    expect(probe.headers['content-length']).toBeDefined();
    expect(await active('slow-body')).toBe(1);
    await admin.request('DELETE', '/chaos/process/slow-body');
    const after = await fetch(`${child.baseUrl}/api/info`);
    expect(after.headers.get('content-length')).not.toBeNull();
  });

  it('slow-body: stopping the fault sends the rest of every body in progress at once', async () => {
    const whole = await (await fetch(`${child.baseUrl}/hello`)).text();
    // 1 byte a minute: without the stop, each body would take most of an hour.
    await admin.request('PUT', '/chaos/process/slow-body', { chunkBytes: 1, intervalMs: 60_000 });
    const bodies: ReturnType<typeof readChunks>[] = [];
    // Each has its first byte, and is waiting for its second.
    await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<void>((firstByte) => {
            bodies.push(readChunks(`${child.baseUrl}/hello`, {}, firstByte));
          }),
      ),
    );
    const stoppedAt = performance.now();
    expect((await json(await admin.request('DELETE', '/chaos/process/slow-body'))).stopped).toBe(
      true,
    );
    for (const { body, chunks } of await Promise.all(bodies)) {
      expect(body).toBe(whole);
      // The rest came after the stop, well before the next interval or the 30 s deadline.
      expect(chunks.at(-1)! - stoppedAt).toBeLessThan(20_000);
    }
  });

  it('slow-body: a body still dribbling at its deadline sends its rest then', async () => {
    const whole = await (await fetch(`${child.baseUrl}/hello`)).text();
    await admin.request('PUT', '/chaos/process/slow-body', { chunkBytes: 1, intervalMs: 60_000 });
    const sentAt = performance.now();
    // The client lowers its deadline to 1.5 s; the body's next byte is due in a minute.
    const { body, chunks } = await readChunks(`${child.baseUrl}/hello`, {
      'x-request-timeout': '1500',
    });
    expect(body).toBe(whole);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.at(-1)! - sentAt).toBeGreaterThanOrEqual(1_400);
    expect(chunks.at(-1)! - sentAt).toBeLessThan(30_000);
  });
});

describe('process chaos: exit (real child process)', () => {
  it('the parent sees the requested exit code, after the 202', async () => {
    const db = await defaultDatabaseEnv();
    const child = await startChild({ ...db.env, LOG_LEVEL: 'info' });
    try {
      const admin = new AdminClient(() => child.adminUrl);
      const bad = await admin.request('POST', '/chaos/process/exit', { code: -1 });
      expect(bad.status).toBe(400);
      expect((await fetch(`${child.baseUrl}/healthz`)).status).toBe(200);

      const res = await admin.request('POST', '/chaos/process/exit', { code: 42 });
      expect(res.status).toBe(202);
      expect((await json(res)).exit).toMatchObject({ code: 42, delayMs: 0 });
      expect(await child.exited).toBe(42);
      expect(child.output()).toContain('chaos: exiting now');
    } finally {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
      await db.drop();
    }
  });

  it('exits as requested when the caller reset the connection right after sending', async () => {
    const db = await defaultDatabaseEnv();
    const child = await startChild({ ...db.env, LOG_LEVEL: 'info' });
    try {
      const body = '{"code":7,"delayMs":500}';
      await sendAndReset(
        child.ports.adminPort!,
        'POST /chaos/process/exit HTTP/1.1\r\nHost: localhost\r\n' +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      // Forty times its delay: the exit it was given, or none at all.
      const stillRunning = new Promise<'still running'>((resolve) =>
        setTimeout(resolve, 20_000, 'still running').unref(),
      );
      expect(await Promise.race([child.exited, stillRunning])).toBe(7);
      expect(child.output()).toContain('chaos: exiting now');
    } finally {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
      await db.drop();
    }
  });
});

/**
 * GETs `url` and records when each body chunk arrived (ms, performance.now()); `onFirst` runs
 * when the first one has.
 */
function readChunks(
  url: string,
  headers: Record<string, string> = {},
  onFirst: () => void = () => undefined,
): Promise<{ headers: Record<string, unknown>; chunks: number[]; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (res) => {
      const chunks: number[] = [];
      let body = '';
      res.on('data', (chunk: Buffer) => {
        chunks.push(performance.now());
        if (chunks.length === 1) onFirst();
        body += chunk.toString();
      });
      res.on('end', () => resolve({ headers: res.headers, chunks, body }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** Sends `request` on a new connection and resets it (RST) at once, before any answer is read. */
function sendAndReset(port: number, request: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request, () => {
        socket.resetAndDestroy();
        resolve();
      });
    });
    socket.on('error', reject);
  });
}
