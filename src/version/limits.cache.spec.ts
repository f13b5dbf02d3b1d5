import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCgroupLimits, type CgroupLimits } from './cgroup.limits.js';
import { LimitsCache } from './limits.cache.js';

const LIMITS: CgroupLimits = { cgroup: 'v2', cpu: 0.5, memoryBytes: 1024 };

/** A cache on a clock the test moves, its reads counted by the cache itself. */
function cacheWith(read: () => Promise<CgroupLimits>) {
  const clock = { ms: 0 };
  return { clock, cache: new LimitsCache({ read, freshMs: 1_000, now: () => clock.ms }) };
}

/** A read that answers when the test says so. */
function gatedRead() {
  const gates: Array<(limits: CgroupLimits) => void> = [];
  const read = () => new Promise<CgroupLimits>((resolve) => gates.push(resolve));
  return { read, gates };
}

describe('LimitsCache', () => {
  it('callers that arrive while a read runs share it: one read, one answer', async () => {
    const { read, gates } = gatedRead();
    const { cache } = cacheWith(read);
    const answers = Promise.all(Array.from({ length: 50 }, () => cache.current()));
    expect(gates).toHaveLength(1);
    gates[0]!(LIMITS);
    const all = await answers;
    expect(cache.reads).toBe(1);
    expect(new Set(all).size).toBe(1);
    expect(all[0]).toEqual(LIMITS);
  });

  it('a change in the cgroup files shows once the interval has passed, not before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-limits-cache-'));
    try {
      const root = join(dir, 'sys');
      const self = join(dir, 'proc-self-cgroup');
      mkdirSync(join(root, 'pod'), { recursive: true });
      writeFileSync(self, '0::/pod\n');
      writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory\n');
      writeFileSync(join(root, 'pod', 'cpu.max'), '50000 100000\n');
      writeFileSync(join(root, 'pod', 'memory.max'), '536870912\n');
      const { cache, clock } = cacheWith(() => readCgroupLimits(root, self));

      expect(await cache.current()).toMatchObject({ cpu: 0.5, memoryBytes: 536_870_912 });
      // Resized in place: the kubelet rewrites the pod's files.
      writeFileSync(join(root, 'pod', 'cpu.max'), '200000 100000\n');
      writeFileSync(join(root, 'pod', 'memory.max'), '1073741824\n');
      clock.ms = 999;
      expect(await cache.current()).toMatchObject({ cpu: 0.5, memoryBytes: 536_870_912 });
      expect(cache.reads).toBe(1);
      clock.ms = 1_000;
      expect(await cache.current()).toMatchObject({ cpu: 2, memoryBytes: 1_073_741_824 });
      expect(cache.reads).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed read rejects for the callers that shared it and is not kept: the next caller reads again', async () => {
    const { read, gates } = gatedRead();
    let fail = true;
    const { cache } = cacheWith(() =>
      fail
        ? Promise.reject(
            Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }),
          )
        : read(),
    );
    const failed = await Promise.allSettled([cache.current(), cache.current()]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(cache.reads).toBe(1);
    // Same instant: a kept failure would answer here without reading.
    fail = false;
    const answer = cache.current();
    expect(cache.reads).toBe(2);
    gates[0]!(LIMITS);
    expect(await answer).toEqual(LIMITS);
  });

  it('a read that throws before it returns a promise is not left in flight', async () => {
    let calls = 0;
    const { cache } = cacheWith(() => {
      calls++;
      if (calls === 1) throw new Error('thrown at once');
      return Promise.resolve(LIMITS);
    });
    await expect(cache.current()).rejects.toThrow('thrown at once');
    expect(await cache.current()).toEqual(LIMITS);
    expect(calls).toBe(2);
  });

  it('the answer is frozen: one caller cannot change what the others read', async () => {
    const { cache } = cacheWith(() => Promise.resolve({ ...LIMITS }));
    expect(Object.isFrozen(await cache.current())).toBe(true);
  });
});
