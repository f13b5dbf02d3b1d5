/**
 * The chart derives NODE_OPTIONS' heap flags from values: old space = heap.oldSpacePercent of
 * resources.limits.memory, semi-spaces = heap.maxSemiSpaceMiB. V8's heap cap is the old space
 * plus three semi-spaces, so heap.maxSemiSpaceMiB=256 under the 512Mi limit capped the heap at
 * 1152 MiB: the kernel, not V8, would have ended the growth (OOMKilled). The templates refuse flags
 * whose cap, plus 64 MiB for what is not heap, passes the limit (templates/_validate.tpl).
 */
import { execFileSync } from 'node:child_process';
import { helm } from '../support/helm.js';
import { CHART_DIR, NAMESPACE, RELEASE } from './helm.render.js';
import { RENDERS } from './consistency.helpers.js';
import { objects, parseObjects, rampartContainers, rampartWorkloads } from './manifests.js';

/** MiB the templates keep outside the V8 heap (templates/_validate.tpl says how it was set). */
const OUTSIDE_HEAP_MIB = 64;

async function render(args: string[]) {
  return helm(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...args]);
}

/** V8's heap cap, in MiB, of a node process started with these NODE_OPTIONS. */
function heapSizeLimitMiB(nodeOptions: string): number {
  const out = execFileSync(
    process.execPath,
    ['-p', 'require("node:v8").getHeapStatistics().heap_size_limit / 2 ** 20'],
    { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions }, encoding: 'utf8' },
  );
  return Number(out.trim());
}

function flags(nodeOptions: string): { oldMiB: number; semiMiB: number } {
  return {
    oldMiB: Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1]),
    semiMiB: Number(/--max-semi-space-size=(\d+)/.exec(nodeOptions)?.[1]),
  };
}

function limitMiB(limit: string): number {
  const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(limit) ?? [];
  return Number(n) * (unit === 'Gi' ? 1024 : 1);
}

describe('the heap flags the chart derives fit the memory limit', () => {
  it('V8 caps the heap at old space + 3 semi-spaces: node itself, with the rendered NODE_OPTIONS', async () => {
    const run = await render([]);
    const c = rampartContainers(rampartWorkloads(parseObjects(run.stdout))[0]!)[0]!;
    const nodeOptions = c.env!.find((e) => e.name === 'NODE_OPTIONS')!.value!;
    const { oldMiB, semiMiB } = flags(nodeOptions);
    expect(heapSizeLimitMiB(nodeOptions)).toBe(oldMiB + 3 * semiMiB);
    expect(oldMiB + 3 * semiMiB + OUTSIDE_HEAP_MIB).toBeLessThanOrEqual(
      limitMiB(String(c.resources!.limits!.memory)),
    );
  });

  it.each([
    [
      'semi-spaces the young generation multiplies past the limit',
      ['--set', 'heap.maxSemiSpaceMiB=256'],
      '3 x --max-semi-space-size=256 (heap.maxSemiSpaceMiB; the young generation is three semi-spaces) = 1152 MiB',
    ],
    [
      'an old space that leaves too little of the limit',
      ['--set', 'heap.oldSpacePercent=90'],
      '--max-old-space-size=460 (heap.oldSpacePercent=90)',
    ],
    [
      'a limit too small for the default flags',
      ['--set', 'resources.limits.memory=128Mi,resources.requests.memory=128Mi'],
      'resources.limits.memory=128Mi',
    ],
    [
      'one MiB short of the 64 outside the heap (1Gi at 85 % with 31 MiB semi-spaces: 870 + 93)',
      ['--set', 'resources.limits.memory=1Gi,heap.oldSpacePercent=85,heap.maxSemiSpaceMiB=31'],
      '= 963 MiB, more than the 960 MiB',
    ],
  ])('refuses %s', async (_label, args, mentions) => {
    const run = await render(args);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('the V8 heap does not fit');
    expect(run.stderr).toContain(mentions);
  });

  it.each([
    ['the defaults (512Mi: 384 + 48, 80 MiB left)', []],
    [
      'a larger limit with a larger share (1Gi at 85 %: 870 + 48)',
      ['--set', 'resources.limits.memory=1Gi,heap.oldSpacePercent=85'],
    ],
    [
      'exactly 64 MiB left (1Gi at 85 % with 30 MiB semi-spaces: 870 + 90)',
      ['--set', 'resources.limits.memory=1Gi,heap.oldSpacePercent=85,heap.maxSemiSpaceMiB=30'],
    ],
  ])('accepts %s', async (_label, args) => {
    const run = await render(args);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it.each(RENDERS)('kustomize %s: its literal flags fit by the same rule', (name) => {
    for (const c of rampartWorkloads(objects(name)).flatMap(rampartContainers)) {
      const { oldMiB, semiMiB } = flags(c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '');
      expect(oldMiB + 3 * semiMiB + OUTSIDE_HEAP_MIB).toBeLessThanOrEqual(
        limitMiB(String(c.resources?.limits?.memory)),
      );
    }
  });
});
