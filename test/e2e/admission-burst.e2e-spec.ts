/**
 * A burst is not an overload: 2 instances x 2,500 concurrent increments of one counter, with
 * admission, the connection cap and the admission queue at their defaults. The requests past the
 * concurrency limit wait in the admission queue (admission.queue.ts) instead of being refused, so
 * all 5,000 succeed. (Before the queue, the same burst was mostly refused CONCURRENCY_LIMITED
 * and connections past 1,000 were reset at accept.) The listen backlog is raised to the kernel's
 * usual somaxconn: 2,500 connects within one loop turn overflow the default 511 in the kernel,
 * before rampart sees them (SYN cookies end in ECONNRESET), which no admission can change.
 */
import { readFile } from 'node:fs/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { adminQuery, createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { TEST_ENV } from '../support/test-app.js';

/** The error code of a failed fetch (undici puts the socket's under `cause`). */
function transportCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).name;
}

/** The kernel's listen-queue counters (/proc/net/netstat TcpExt), to explain a reset. */
async function listenCounters(): Promise<Record<string, number>> {
  const lines = (await readFile('/proc/net/netstat', 'utf8')).split('\n');
  const names = lines.find((l) => l.startsWith('TcpExt:'))!.split(' ');
  const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]!.split(' ');
  const wanted = ['ListenOverflows', 'ListenDrops', 'SyncookiesSent', 'TCPAbortOnData'];
  return Object.fromEntries(wanted.map((name) => [name, Number(values[names.indexOf(name)])]));
}

function diff(after: Record<string, number>, before: Record<string, number>) {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

describe('admission at its defaults under a burst of 2 x 2,500 concurrent increments', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const agent = new Agent({ connections: 2_500 });

  beforeAll(async () => {
    db = await createPostgresDatabase();
    // TEST_ENV turns admission and the connection cap off for every other suite: back to the
    // shipped defaults here (the loop-delay backstop stays off: a shared machine can stall 1 s).
    const env = {
      DATABASE_URL: db.url,
      ACCESS_LOG_ENABLED: 'false',
      ADMISSION_ENABLED: 'true',
      HTTP_MAX_CONNECTIONS: '4000',
      HTTP_LISTEN_BACKLOG: '4096',
    };
    expect(TEST_ENV.ADMISSION_ENABLED).toBe('false');
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(async () => {
    await agent.close();
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });

  it('serves all 5,000 (none refused), every value once, final value 5,000', async () => {
    const kernelBefore = await listenCounters();
    // Every outcome is kept, a transport error as its code, so a failure says how many failed
    // and why (a 503's code, or a reset and whether the kernel's listen queue overflowed).
    const responses = await Promise.all(
      Array.from({ length: 5_000 }, async (_, i) => {
        const app = i % 2 === 0 ? a : b;
        try {
          const res = await undiciFetch(`${app.baseUrl}/api/counters/burst/increment`, {
            method: 'POST',
            dispatcher: agent,
          });
          const body = (await res.json()) as { value?: number; code?: string };
          return { status: res.status, code: body.code, value: body.value };
        } catch (error) {
          return { status: 0, code: transportCode(error), value: undefined };
        }
      }),
    );
    const kernel = diff(await listenCounters(), kernelBefore);
    const failed = responses.filter((r) => r.status !== 200);
    expect({
      failed: failed.length,
      codes: [...new Set(failed.map((r) => r.code))],
      ...(failed.length > 0 && { kernel }),
    }).toEqual({ failed: 0, codes: [] });
    const values = responses.map((r) => r.value!).sort((x, y) => x - y);
    expect(values).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 1));
    const [row] = await adminQuery<{ value: string }>(
      'SELECT value::text FROM counters WHERE name = $1',
      ['burst'],
      db.url,
    );
    expect(row?.value).toBe('5000');
    // The queue did the work: requests past the limit waited rather than being refused.
    for (const app of [a, b]) {
      const text = await (await fetch(`${app.adminUrl}/metrics`)).text();
      expect(text).toContain(
        'http_server_admission_rejections_total{reason="concurrency_limit"} 0',
      );
    }
  }, 60_000);
});
