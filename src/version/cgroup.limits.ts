import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The CPU and memory limits this process runs under, as the kernel enforces them. */
export interface CgroupLimits {
  /** Which cgroup hierarchy was read ("none": not found, e.g. macOS or no /sys mounted). */
  cgroup: 'v2' | 'v1' | 'none';
  /** CPUs' worth of time per period (quota / period: 0.5 = half a CPU), or "unlimited". */
  cpu: number | 'unlimited';
  memoryBytes: number | 'unlimited';
}

// cgroup v1 reports "no limit" as the largest page-aligned int64 (9223372036854771712).
const V1_UNLIMITED = 2 ** 62;

/**
 * Reads the limits from cgroup files, the way the kubelet's `resources.limits` reach a
 * container: v2 `cpu.max` ("max 100000" or "50000 100000") and `memory.max`; v1
 * `cpu.cfs_quota_us`/`cpu.cfs_period_us` and `memory.limit_in_bytes`. A limit can be set on any
 * ancestor (the pod's cgroup above the container's, without a cgroup namespace), so every
 * directory from the process's own cgroup (/proc/self/cgroup) up to the root counts: the
 * smallest limit found is the one in force. `root` and `selfCgroup` are parameters for tests.
 * A file that is missing or unreadable counts as no limit there; running out of descriptors or
 * memory rejects instead (NOT_NOW). Callers go through LimitsCache, not here: this is ~10 reads.
 */
export async function readCgroupLimits(
  root = '/sys/fs/cgroup',
  selfCgroup = '/proc/self/cgroup',
): Promise<CgroupLimits> {
  const membership = (await read(selfCgroup)) ?? '';
  if ((await read(join(root, 'cgroup.controllers'))) !== undefined) {
    const path = /^0::(.*)$/m.exec(membership)?.[1] ?? '/';
    const dirs = ancestors(root, path);
    return {
      cgroup: 'v2',
      cpu: smallest(await Promise.all(dirs.map((d) => v2Cpu(d)))),
      memoryBytes: smallest(await Promise.all(dirs.map((d) => v2Memory(d)))),
    };
  }
  const v1Path = (controller: string) =>
    new RegExp(`^\\d+:(?:[^:]*,)?${controller}(?:,[^:]*)?:(.*)$`, 'm').exec(membership)?.[1] ?? '/';
  const cpuDirs = ancestors(join(root, 'cpu'), v1Path('cpu'));
  const memoryDirs = ancestors(join(root, 'memory'), v1Path('memory'));
  const cpu = await Promise.all(cpuDirs.map((d) => v1Cpu(d)));
  const memory = await Promise.all(memoryDirs.map((d) => v1Memory(d)));
  if ([...cpu, ...memory].every((limit) => limit === undefined)) {
    return { cgroup: 'none', cpu: 'unlimited', memoryBytes: 'unlimited' };
  }
  return { cgroup: 'v1', cpu: smallest(cpu), memoryBytes: smallest(memory) };
}

async function v2Cpu(dir: string): Promise<number | 'unlimited' | undefined> {
  const [quota, period] = ((await read(join(dir, 'cpu.max'))) ?? '').split(/\s+/);
  if (quota === 'max') return 'unlimited';
  return ratio(quota, period);
}

async function v2Memory(dir: string): Promise<number | 'unlimited' | undefined> {
  const value = await read(join(dir, 'memory.max'));
  if (value === 'max') return 'unlimited';
  return bytes(value);
}

async function v1Cpu(dir: string): Promise<number | 'unlimited' | undefined> {
  const quota = await read(join(dir, 'cpu.cfs_quota_us'));
  if (quota === '-1') return 'unlimited';
  return ratio(quota, await read(join(dir, 'cpu.cfs_period_us')));
}

async function v1Memory(dir: string): Promise<number | 'unlimited' | undefined> {
  const value = bytes(await read(join(dir, 'memory.limit_in_bytes')));
  return value !== undefined && value >= V1_UNLIMITED ? 'unlimited' : value;
}

/** `root` joined with each prefix of `path`, deepest first: /a/b → root/a/b, root/a, root. */
function ancestors(root: string, path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '..');
  return parts.map((_, i) => join(root, ...parts.slice(0, parts.length - i))).concat(root);
}

function smallest(limits: Array<number | 'unlimited' | undefined>): number | 'unlimited' {
  const numbers = limits.filter((l): l is number => typeof l === 'number');
  return numbers.length === 0 ? 'unlimited' : Math.min(...numbers);
}

function ratio(quota?: string, period?: string): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return quota && period && q > 0 && p > 0 ? Math.round((q / p) * 1000) / 1000 : undefined;
}

function bytes(value?: string): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Errors that say this process could not read just now (out of file descriptors or memory), not
 * that the file is absent or hidden. Thrown: taken for "no file", they would answer "unlimited",
 * and LimitsCache (limits.cache.ts) would keep that answer for its interval.
 */
const NOT_NOW = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN', 'EBUSY', 'EINTR']);

async function read(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (NOT_NOW.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    return undefined;
  }
}
