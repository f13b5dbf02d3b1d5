import { PublicRequestState } from './request-state.js';

const start = {
  requestId: 'r-1',
  method: 'GET',
  url: '/hello',
  route: '/hello',
  probe: false,
  startedAt: 0,
  deadline: 30_000,
  admission: undefined,
};

describe('PublicRequestState', () => {
  it('gives the controller’s signal, aborted with its reason, whether read before or after', () => {
    const early = new AbortController();
    const readEarly = new PublicRequestState(start, early);
    const signal = readEarly.signal;
    expect(signal.aborted).toBe(false);
    early.abort(new Error('deadline'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('deadline');

    const late = new AbortController();
    const readLate = new PublicRequestState(start, late);
    late.abort(new Error('client left'));
    expect(readLate.signal.aborted).toBe(true);
    expect((readLate.signal.reason as Error).message).toBe('client left');
    // One signal per request, the same on every read.
    expect(readLate.signal).toBe(readLate.signal);
  });

  it('starts outside the in-flight registry, with no span and the root context', () => {
    const state = new PublicRequestState(start, new AbortController());
    expect(state.inFlightSlot).toBe(-1);
    expect(state.span).toBeUndefined();
    expect(state.requestId).toBe('r-1');
    expect(state.deadline).toBe(30_000);
  });
});
