import { AdmissionSlot, type SlotOwner } from './admission.slot.js';

/** A gate's side of the slot, recording what the slot told it; the clock is the test's. */
function setup(admittedAt = 100) {
  const calls: string[] = [];
  const clock = { t: admittedAt, now: () => clock.t };
  const owner: SlotOwner = {
    vacate: () => calls.push('vacate'),
    occupy: () => calls.push('occupy'),
    release: (busyMs, holdsSlot, answered) =>
      calls.push(`release ${busyMs} ${holdsSlot} ${answered ? 'answered' : 'not answered'}`),
  };
  return { calls, clock, slot: new AdmissionSlot(owner, admittedAt, 0, clock) };
}

describe('AdmissionSlot', () => {
  it("runs the request's close work after the release, and reports whether it was answered", () => {
    const { calls, slot } = setup();
    slot.onClose = () => calls.push('close work');
    slot.closed(false);
    expect(calls).toEqual(['release 0 true not answered', 'close work']);
  });

  it('lends its place while parked and takes it back once, however often park is called', () => {
    const { calls, slot } = setup();
    slot.park();
    slot.park();
    expect(slot.parked).toBe(true);
    slot.unpark();
    slot.unpark();
    expect(calls).toEqual(['vacate', 'occupy']);
  });

  it('reports as latency only the time the request was not parked', () => {
    const { calls, clock, slot } = setup(100);
    clock.t = 103; // 3 ms of work
    slot.park();
    clock.t = 153; // 50 ms waiting for the batch's statement
    slot.unpark();
    clock.t = 155; // 2 ms answering
    slot.closed(true);
    expect(calls).toEqual(['vacate', 'occupy', 'release 5 true answered']);
  });

  it('released while parked (the client left): frees nothing twice, and a later unpark takes no place', () => {
    const { calls, clock, slot } = setup(0);
    slot.park();
    clock.t = 10;
    slot.closed(false);
    slot.unpark();
    slot.release(false);
    slot.park();
    expect(calls).toEqual(['vacate', 'release 0 false not answered']);
  });
});
