import { MemoryGrowth } from './memory.growth.js';

const MIB = 1024 * 1024;

describe('MemoryGrowth', () => {
  const growth = new MemoryGrowth();
  afterEach(() => growth.stop());

  it('never holds more than the cap, even when one step is larger', () => {
    // 60,000 MB a minute is 1,000 MB a step: the first step is clipped to the 2 MB cap.
    growth.start({ mbPerMinute: 60_000, capMb: 2 });
    expect(growth.bytes).toBe(2 * MIB);
    expect(growth.settings).toMatchObject({ capMb: 2, heldBytes: 2 * MIB });
  });

  it('takes a minute-rate in one-second steps', () => {
    growth.start({ mbPerMinute: 60, capMb: 100 }); // 1 MB a second
    expect(growth.bytes).toBe(MIB);
  });

  it('stop drops everything it held and the settings', () => {
    growth.start({ mbPerMinute: 600, capMb: 100 });
    growth.stop();
    expect(growth.bytes).toBe(0);
    expect(growth.settings).toBeUndefined();
  });
});
