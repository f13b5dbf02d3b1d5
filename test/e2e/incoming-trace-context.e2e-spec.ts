import { randomBytes } from 'node:crypto';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { rawRequest } from '../support/raw-http.js';
import { startTracedWithReceiver, type TracedChild } from '../support/traced-child.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * A caller's trace context is read as the W3C Trace Context spec says (w3.org/TR/trace-context,
 * §3.2 and §4.3): a traceparent it calls invalid starts a new trace, never a 500; one of a
 * later version is read for the fields version 00 defines; the sampled bit alone of the flags
 * decides. Each request is answered 404 on an unknown path, whose problem body carries the
 * trace id the request ran under.
 */
describe('incoming trace context (traced child process, ratio 0)', () => {
  let traced: TracedChild;
  let receiver: OtlpReceiver;
  let port: number;

  beforeAll(async () => {
    // Ratio 0: a span is exported only when the caller's sampled flag asks for it.
    traced = await startTracedWithReceiver({ OTEL_TRACES_SAMPLER_ARG: '0' });
    ({ receiver, port } = traced);
  });
  afterAll(() => traced.stop());

  /** The trace id the request ran under, from its 404 problem body. */
  const tracedAs = async (headers: string[]): Promise<string> => {
    const res = await rawRequest(
      port,
      `GET /no/such HTTP/1.1\r\nHost: a\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`,
    );
    expect(res.status).toBe(404);
    const { traceId } = JSON.parse(res.body) as { traceId?: string };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));
    return traceId!;
  };

  const T = hex(16);
  const S = hex(8);
  it.each([
    ['an all-zero trace id', [`traceparent: 00-${'0'.repeat(32)}-${S}-01`]],
    ['an all-zero parent id', [`traceparent: 00-${T}-${'0'.repeat(16)}-01`]],
    ['version ff', [`traceparent: ff-${T}-${S}-01`]],
    ['version 00 with more fields', [`traceparent: 00-${T}-${S}-01-extra`]],
    ['upper-case hex', [`traceparent: 00-${T.toUpperCase()}-${S}-01`]],
    ['a short trace id', [`traceparent: 00-${T.slice(2)}-${S}-01`]],
    ['non-hex flags', [`traceparent: 00-${T}-${S}-0g`]],
    [
      'two traceparent headers',
      [`traceparent: 00-${T}-${S}-01`, `traceparent: 00-${hex(16)}-${S}-01`],
    ],
    ['an 8 KiB traceparent', [`traceparent: 00-${T}-${S}-01${'x'.repeat(8_000)}`]],
  ])('%s → a new trace', async (_, headers) => {
    expect(await tracedAs(headers)).not.toBe(T);
  });

  it.each([
    ['a later version with more fields', [`traceparent: 01-${T}-${S}-01-extra`]],
    [
      'two tracestate headers',
      [`traceparent: 00-${T}-${S}-01`, 'tracestate: a=1', 'tracestate: b=2'],
    ],
    ['a malformed tracestate', [`traceparent: 00-${T}-${S}-01`, 'tracestate: ===,,,x']],
    [
      'a tracestate of 200 members',
      [
        `traceparent: 00-${T}-${S}-01`,
        `tracestate: ${Array.from({ length: 200 }, (_, i) => `k${i}=v${i}`).join(',')}`,
      ],
    ],
    ['a malformed baggage', [`traceparent: 00-${T}-${S}-01`, 'baggage: =;;=%%%,a=%ZZ']],
  ])("%s → the caller's trace", async (_, headers) => {
    expect(await tracedAs(headers)).toBe(T);
  });

  it('the sampled bit alone decides: flags 01, 03 and ff are sampled, 00 and 02 not', async () => {
    const byFlags = new Map<string, string>();
    for (const flags of ['01', '03', 'ff', '00', '02']) {
      const traceId = hex(16);
      byFlags.set(flags, traceId);
      expect(await tracedAs([`traceparent: 00-${traceId}-${hex(8)}-${flags}`])).toBe(traceId);
    }
    // A sampled request after them marks the point by which their spans had come.
    const marker = hex(16);
    await tracedAs([`traceparent: 00-${marker}-${hex(8)}-01`]);
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === marker), 15_000);
    const exported = [...byFlags].filter(([, id]) => receiver.spans.some((s) => s.traceId === id));
    expect(exported.map(([flags]) => flags)).toEqual(['01', '03', 'ff']);
  });
});
