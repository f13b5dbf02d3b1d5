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

  it('stop returns the memory at once, with no garbage collection, and drops the settings', async () => {
    growth.start({ mbPerMinute: 960, capMb: 64 });
    await until(() => growth.bytes === 64 * MIB);
    const held = process.memoryUsage().rss;
    growth.stop();
    expect(held - process.memoryUsage().rss).toBeGreaterThan(32 * MIB);
    expect(growth.bytes).toBe(0);
    expect(growth.settings).toBeUndefined();
  });
});
