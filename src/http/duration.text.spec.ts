import { durationText } from './duration.text.js';

const plain = (ms: number) => String(Math.round(ms * 100) / 100);

describe('durationText', () => {
  it('is the text of the duration rounded to hundredths, for every hundredth up to 10 s', () => {
    const differ: number[] = [];
    for (let hundredths = 0; hundredths <= 1_000_000; hundredths++) {
      const ms = hundredths / 100;
      if (durationText(ms) !== plain(ms)) differ.push(ms);
    }
    expect(differ).toEqual([]);
  });

  it.each([
    0,
    0.004,
    0.005,
    0.4213,
    1.005,
    2.675,
    9.999,
    99.995,
    12_345.678_9,
    2 ** 30 - 0.001,
    2 ** 30,
    2 ** 31 + 0.5,
    1e21,
    -0.5,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ])('reads %p as String(Math.round(ms * 100) / 100) does', (ms) => {
    expect(durationText(ms)).toBe(plain(ms));
  });
});
