import { BoundedRetrySet } from './bounded-retry.set.js';

function setup(max = 3) {
  const forgotten: Array<{ suppressed: number }> = [];
  const set = new BoundedRetrySet(max, (line) => forgotten.push(line));
  return { set, forgotten };
}

describe('BoundedRetrySet', () => {
  it('keeps each id once, the one added again as the newest', () => {
    const { set } = setup();
    set.add('1');
    set.add('2');
    set.add('1');
    expect([set.size, set.waiting()]).toEqual([2, ['2', '1']]);
  });

  it('a round clears the ids added before it began, not one added again while it ran', () => {
    const { set } = setup();
    set.add('1');
    set.add('2');
    const round = set.beginRound();
    set.add('2');
    set.add('3');
    expect(set.clear('1', round)).toBe(true);
    expect(set.clear('2', round)).toBe(false);
    expect(set.clear('3', round)).toBe(false);
    expect(set.clear('1', round)).toBe(false);
    expect(set.waiting()).toEqual(['2', '3']);
    expect(set.clearRound(set.beginRound())).toEqual(['2', '3']);
    expect(set.size).toBe(0);
  });

  it('clearRound returns only the ids the round saw', () => {
    const { set } = setup();
    set.add('1');
    const round = set.beginRound();
    set.add('2');
    expect(set.clearRound(round)).toEqual(['1']);
    expect(set.waiting()).toEqual(['2']);
  });

  it('keeps at most `max` ids, forgetting the oldest, told once per throttle interval', () => {
    const { set, forgotten } = setup(3);
    for (const id of ['1', '2', '3', '4', '5']) set.add(id);
    expect(set.waiting()).toEqual(['3', '4', '5']);
    expect(forgotten).toEqual([{ suppressed: 0 }]);
  });
});
