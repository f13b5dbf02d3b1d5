import { ListenerPause } from './listener.pause.js';

const busy = { utilization: 1, sustained: true };
const idle = { utilization: 0.1, sustained: false };

describe('ListenerPause', () => {
  it('listens without bound until a standing queue meets a saturated thread', () => {
    const pause = new ListenerPause();
    expect(pause.shouldListen(10_000, 20)).toBe(true);
    expect(pause.judge({ utilization: 1, sustained: false })).toBe(false); // a burst: no queue stands
    expect(pause.judge({ utilization: 0.5, sustained: true })).toBe(false); // a slow dependency
    expect(pause.engaged).toBe(false);
    expect(pause.judge(busy)).toBe(true);
    expect(pause.engaged).toBe(true);
  });

  it('while engaged, listens only below the limit plus headroom (10 %, at least 4)', () => {
    const pause = new ListenerPause();
    pause.judge(busy);
    expect(pause.shouldListen(23, 20)).toBe(true);
    expect(pause.shouldListen(24, 20)).toBe(false);
    expect(pause.shouldListen(109, 100)).toBe(true);
    expect(pause.shouldListen(110, 100)).toBe(false);
  });

  it('releases after five idle windows in a row, not at the first', () => {
    const pause = new ListenerPause();
    pause.judge(busy);
    for (let i = 0; i < 4; i++) expect(pause.judge(idle)).toBe(false);
    expect(pause.judge(busy)).toBe(false); // busy again: the count starts over
    for (let i = 0; i < 4; i++) expect(pause.judge(idle)).toBe(false);
    expect(pause.engaged).toBe(true);
    expect(pause.judge(idle)).toBe(true);
    expect(pause.engaged).toBe(false);
    expect(pause.shouldListen(10_000, 20)).toBe(true);
  });

  it('reset() releases at once (shutdown)', () => {
    const pause = new ListenerPause();
    pause.judge(busy);
    pause.reset();
    expect(pause.engaged).toBe(false);
  });
});

describe('ListenerPause with a standing accept queue', () => {
  const backlog = { utilization: 1, sustained: false, acceptBacklog: true };

  it('engages on a saturated thread without a standing admission queue', () => {
    const pause = new ListenerPause();
    expect(pause.judge({ utilization: 0.9, sustained: false, acceptBacklog: true })).toBe(false);
    expect(pause.judge(backlog)).toBe(true);
    expect(pause.engaged).toBe(true);
    expect(pause.backlogged).toBe(true);
  });

  it('holds the connections it has, however far below the limit, while they saturate it', () => {
    const pause = new ListenerPause();
    pause.judge(backlog);
    expect(pause.shouldListen(3, 100)).toBe(false);
    // Later windows find the queue gone (the listener is closed): still held while saturated.
    expect(pause.judge(busy)).toBe(false);
    expect(pause.shouldListen(3, 100)).toBe(false);
    for (let i = 0; i < 5; i++) pause.judge(idle);
    expect(pause.engaged).toBe(false);
    expect(pause.backlogged).toBe(false);
    expect(pause.shouldListen(10_000, 20)).toBe(true);
  });

  it('listens again at the first unsaturated window, still engaged (clients without keep-alive)', () => {
    const pause = new ListenerPause();
    pause.judge(backlog);
    expect(pause.judge({ utilization: 0.9, sustained: false })).toBe(false);
    expect(pause.engaged).toBe(true);
    expect(pause.backlogged).toBe(false);
    expect(pause.shouldListen(3, 100)).toBe(true); // back to the limit plus headroom
    expect(pause.shouldListen(110, 100)).toBe(false);
  });

  it('switches to holding what it has when the queue stands while already engaged', () => {
    const pause = new ListenerPause();
    pause.judge(busy);
    expect(pause.shouldListen(50, 100)).toBe(true);
    expect(pause.judge(backlog)).toBe(false); // no change of mode, only of target
    expect(pause.shouldListen(50, 100)).toBe(false);
  });
});
