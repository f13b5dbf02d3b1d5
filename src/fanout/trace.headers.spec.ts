import { traceHeadersToForward } from './trace.headers.js';

// Without the SDK the propagator injects nothing: every trace header is the copy's to carry.
describe('traceHeadersToForward', () => {
  it('copies the trace and mesh headers, and nothing else', () => {
    expect(
      traceHeadersToForward({
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        baggage: 'tenant=t1',
        'x-b3-sampled': '1',
        authorization: 'Bearer secret',
        cookie: 'a=b',
      }),
    ).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      baggage: 'tenant=t1',
      'x-b3-sampled': '1',
    });
  });

  it('leaves out a header the Connection header names (hop-by-hop)', () => {
    expect(
      traceHeadersToForward({
        connection: 'keep-alive, Baggage',
        baggage: 'secret=hop',
        b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1',
      }),
    ).toEqual({ b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1' });
  });

  it('leaves out a value that is not printable ASCII rather than forward it re-encoded', () => {
    // Node hands raw byte 0xE9 over as latin1 "é"; undici would send it as UTF-8 C3 A9.
    expect(traceHeadersToForward({ baggage: 'a=\u00e9\u00ff', 'x-b3-sampled': '1' })).toEqual({
      'x-b3-sampled': '1',
    });
  });
});
