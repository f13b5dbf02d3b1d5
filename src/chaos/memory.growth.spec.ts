import { execFileSync } from 'node:child_process';
import { MemoryGrowth } from './memory.growth.js';

const MIB = 1024 * 1024;
const STEP_MS = 5;

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((r) => setTimeout(r, STEP_MS));
};

describe('MemoryGrowth', () => {
  const growth = new MemoryGrowth(STEP_MS);
  afterEach(() => growth.stop());

  it('holds nothing until its first step: start() allocates nothing itself', async () => {
    growth.start({ mbPerMinute: 60, capMb: 100 }); // 1 MB a step
    expect(growth.bytes).toBe(0);
    await until(() => growth.bytes > 0);
    expect(growth.bytes).toBe(MIB);
  });

  it('never holds more than the cap, even when one step is larger', async () => {
    // 960 MB a minute is 16 MB a step: the first step is clipped to the 2 MB cap.
    growth.start({ mbPerMinute: 960, capMb: 2 });
    await until(() => growth.bytes > 0);
    expect(growth.bytes).toBe(2 * MIB);
    await new Promise((r) => setTimeout(r, 10 * STEP_MS)); // more steps: none adds to it
    expect(growth.settings).toMatchObject({ capMb: 2, heldBytes: 2 * MIB });
  });

  it('stop frees every buffer at once, with no garbage collection, and drops the settings', async () => {
    growth.start({ mbPerMinute: 960, capMb: 64 });
    await until(() => growth.bytes === 64 * MIB);
    const held = [...(growth as unknown as { held: Buffer[] }).held];
    growth.stop();
    // Detached: each buffer's memory went back to the allocator in stop(), not at a later GC.
    expect(held.map((b) => b.buffer.byteLength)).toEqual(held.map(() => 0));
    expect(growth.bytes).toBe(0);
    expect(growth.settings).toBeUndefined();
  });

  /**
   * The resident set, in a process of its own: whether it falls at once depends on the C
   * allocator's history. glibc maps a block above its mmap threshold on its own and unmaps it on
   * free, but raises that threshold (up to 32 MiB) each time it frees a mapped block, and serves
   * smaller blocks from its heap, which it keeps. In a jest worker that earlier suites had taught
   * to keep 16 MiB blocks, the resident set did not move (0 bytes), where a fresh process gives
   * back all 64 MiB. docs/chaos.md says what an operator sees.
   */
  it('a fresh process gives the resident memory back at once on stop', () => {
    const module = new URL('../../dist/chaos/memory.growth.js', import.meta.url).href;
    const script = `
      import { MemoryGrowth } from ${JSON.stringify(module)};
      const growth = new MemoryGrowth(${STEP_MS});
      growth.start({ mbPerMinute: 960, capMb: 64 });
      while (growth.bytes < ${64 * MIB}) await new Promise((r) => setTimeout(r, ${STEP_MS}));
      const held = process.memoryUsage().rss;
      growth.stop();
      console.log(held - process.memoryUsage().rss);`;
    const freed = Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    );
    expect(freed).toBeGreaterThan(32 * MIB);
  });
});
