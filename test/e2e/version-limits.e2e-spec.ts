/**
 * GET /version, /api/info, the admin /metrics and the memory chaos's cap check read the
 * container's cgroup limits from files; each file read is a job on libuv's threadpool, which
 * dns.lookup and async crypto share. Counted here as the process's own fs requests (async_hooks),
 * against what one read of the same files takes in this process: the app runs in it, with the
 * same /proc/self/cgroup.
 */
import { createHook } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCgroupLimits } from '../../src/version/cgroup.limits.js';
import { AdminClient } from '../support/admin-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'version-limits-test-token-0123456789';

/** The async resources of a file-system request on the threadpool (promise and callback APIs). */
const FS_JOBS = new Set(['FSREQPROMISE', 'FSREQCALLBACK', 'FILEHANDLECLOSEREQ']);

/** What `work` resolves to, and the fs jobs this process started meanwhile. */
async function withFsJobs<T>(work: () => Promise<T>): Promise<{ value: T; jobs: number }> {
  let jobs = 0;
  const hook = createHook({
    init(_id, type) {
      if (FS_JOBS.has(type)) jobs++;
    },
  }).enable();
  try {
    const value = await work();
    return { value, jobs };
  } finally {
    hook.disable();
  }
}

async function body(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('the cgroup limits on public and admin routes (real listeners)', () => {
  let t: TestApp;
  const admin = new AdminClient(() => t.adminUrl, TOKEN);

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN: TOKEN });
    await t.serializersWarmed;
    // The request path warmed without reading the limits: nothing may have read them yet.
    await (await fetch(`${t.baseUrl}/status/200`)).arrayBuffer();
  });
  afterAll(async () => {
    // A machine with more than the cap's 64 GiB took the memory fault: it grows 1 MB a minute.
    await admin.request('DELETE', '/chaos/process');
    await t.close();
  });

  it('concurrent /version, /api/info, /metrics and memory chaos cap checks share one read of the cgroup files', async () => {
    const one = await withFsJobs(() => readCgroupLimits());
    expect(one.jobs).toBeGreaterThan(0);

    const started = performance.now();
    const burst = await withFsJobs(() =>
      Promise.all([
        ...Array.from({ length: 40 }, () => body(`${t.baseUrl}/version`)),
        ...Array.from({ length: 10 }, () => body(`${t.baseUrl}/api/info`)),
        ...Array.from({ length: 2 }, async () => {
          const res = await fetch(`${t.adminUrl}/metrics`);
          expect(res.status).toBe(200);
          await res.arrayBuffer();
          return undefined;
        }),
        ...Array.from({ length: 2 }, async () => {
          // The largest cap: refused (400) above the memory this process may have.
          const res = await admin.request('PUT', '/chaos/process/memory', {
            mbPerMinute: 1,
            capMb: 65_536,
          });
          expect([400, 202]).toContain(res.status);
          await res.arrayBuffer();
          return undefined;
        }),
      ]),
    );
    const elapsed = performance.now() - started;
    // One read a second at most: only a burst stalled past a second may take a second read.
    // Read per request, these 54 took 54 reads.
    const reads = 1 + Math.floor(elapsed / 1_000);
    expect(burst.jobs).toBeLessThanOrEqual(one.jobs * reads);
    const limits = burst.value.filter((b) => b !== undefined).map((b) => b.limits);
    expect(limits).toHaveLength(50);
    for (const l of limits) expect(l).toEqual(limits[0]);
    expect(limits[0]).toMatchObject(one.value);
  });

  it('reads again once the second has passed: a pod resized in place shows without a restart', async () => {
    const one = await withFsJobs(() => readCgroupLimits());
    // Past the second the last read answers for (src/version/limits.cache.ts).
    await sleep(1_100);
    const again = await withFsJobs(() => body(`${t.baseUrl}/version`));
    expect(again.jobs).toBe(one.jobs);
  });
});
