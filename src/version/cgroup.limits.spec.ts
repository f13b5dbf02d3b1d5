import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCgroupLimits } from './cgroup.limits.js';

/** Real files laid out as the kernel shows them, in a fresh directory per case. */
function tree(files: Record<string, string>): { root: string; self: string } {
  const base = mkdtempSync(join(tmpdir(), 'rampart-cgroup-'));
  for (const [path, content] of Object.entries(files)) {
    const file = join(base, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${content}\n`);
  }
  dirs.push(base);
  return { root: join(base, 'sys'), self: join(base, 'proc-self-cgroup') };
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('readCgroupLimits', () => {
  it('v2: quota / period in CPUs and memory.max in bytes, the smallest along the path', async () => {
    const { root, self } = tree({
      'proc-self-cgroup': '0::/kubepods/pod1/ctr',
      'sys/cgroup.controllers': 'cpu memory',
      'sys/kubepods/pod1/ctr/cpu.max': 'max 100000',
      'sys/kubepods/pod1/ctr/memory.max': 'max',
      // The pod-level cgroup carries the limits (no cgroup namespace: the container sees it).
      'sys/kubepods/pod1/cpu.max': '50000 100000',
      'sys/kubepods/pod1/memory.max': '536870912',
      'sys/kubepods/memory.max': '8589934592',
    });
    expect(await readCgroupLimits(root, self)).toEqual({
      cgroup: 'v2',
      cpu: 0.5,
      memoryBytes: 536_870_912,
    });
  });

  it('v2 with "max" everywhere (or a namespaced root without the files) is unlimited', async () => {
    const { root, self } = tree({
      'proc-self-cgroup': '0::/',
      'sys/cgroup.controllers': 'cpu memory',
      'sys/cpu.max': 'max 100000',
    });
    expect(await readCgroupLimits(root, self)).toEqual({
      cgroup: 'v2',
      cpu: 'unlimited',
      memoryBytes: 'unlimited',
    });
  });

  it('v1: cfs quota / period and memory.limit_in_bytes, with the "no limit" sentinels', async () => {
    const { root, self } = tree({
      'proc-self-cgroup': '4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/',
      'sys/cpu/docker/abc/cpu.cfs_quota_us': '150000',
      'sys/cpu/docker/abc/cpu.cfs_period_us': '100000',
      'sys/memory/docker/abc/memory.limit_in_bytes': '268435456',
      'sys/memory/memory.limit_in_bytes': '9223372036854771712',
    });
    expect(await readCgroupLimits(root, self)).toEqual({
      cgroup: 'v1',
      cpu: 1.5,
      memoryBytes: 268_435_456,
    });
  });

  it('v1 without limits: quota -1 and the int64 sentinel are unlimited', async () => {
    const { root, self } = tree({
      'proc-self-cgroup': '4:memory:/\n1:cpu:/',
      'sys/cpu/cpu.cfs_quota_us': '-1',
      'sys/cpu/cpu.cfs_period_us': '100000',
      'sys/memory/memory.limit_in_bytes': '9223372036854771712',
    });
    expect(await readCgroupLimits(root, self)).toEqual({
      cgroup: 'v1',
      cpu: 'unlimited',
      memoryBytes: 'unlimited',
    });
  });

  it('no cgroup files at all: none, unlimited', async () => {
    const { root, self } = tree({ 'proc-self-cgroup': '' });
    expect(await readCgroupLimits(root, self)).toEqual({
      cgroup: 'none',
      cpu: 'unlimited',
      memoryBytes: 'unlimited',
    });
  });

  it('out of file descriptors: rejects with EMFILE instead of answering "none, unlimited"', () => {
    const { root, self } = tree({
      'proc-self-cgroup': '0::/pod',
      'sys/cgroup.controllers': 'cpu memory',
      'sys/pod/memory.max': '536870912',
    });
    // A process of its own with a low descriptor limit (bash's ulimit), filled up before the read:
    // this one's descriptors stay free for jest. Node strips the module's types itself.
    const script = `
      import { openSync } from 'node:fs';
      const { readCgroupLimits } = await import(process.argv[1]);
      const held = [];
      try { for (;;) held.push(openSync('/dev/null', 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; }
      try {
        console.log(JSON.stringify({ limits: await readCgroupLimits(process.argv[2], process.argv[3]) }));
      } catch (e) {
        console.log(JSON.stringify({ code: e.code }));
      }`;
    const module = fileURLToPath(new URL('./cgroup.limits.ts', import.meta.url));
    const out = execFileSync(
      'bash',
      [
        '-c',
        'ulimit -n 64 && exec "$0" "$@"',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
        module,
        root,
        self,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual({ code: 'EMFILE' });
  });
});
