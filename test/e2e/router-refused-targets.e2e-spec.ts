import { randomBytes } from 'node:crypto';
import { AdminClient } from '../support/admin-client.js';
import { accessLines, type Child } from '../support/child-process.js';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';
import { rawRequest } from '../support/raw-http.js';
import { startTracedWithReceiver, type TracedChild } from '../support/traced-child.js';
import { until } from '../support/wait.js';

/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 15_000;

/**
 * Fastify hands a target its router cannot read (a malformed escape, a parameter past
 * maxParamLength) to `frameworkErrors` with a request of its own that meets no hook: those 400s
 * and 414s
 * left with no access line, no histogram sample and no server span, so a client could send any
 * number of them unseen by the operator. Each now has one of every record, as any other refusal.
 */
describe('targets the router refuses before any hook (traced child process)', () => {
  let traced: TracedChild;
  let receiver: OtlpReceiver;
  let child: Child;
  let port: number;

  beforeAll(async () => {
    // Ratio 0: only the caller's sampled traceparent decides, so each request's span is its own.
    traced = await startTracedWithReceiver({ OTEL_TRACES_SAMPLER_ARG: '0', LOG_LEVEL: 'info' });
    ({ receiver, child, port } = traced);
  });
  afterAll(() => traced.stop());

  const refusals = async (status: number): Promise<number> => {
    const labels = {
      http_route: 'unmatched',
      http_request_method: 'GET',
      http_response_status_code: String(status),
    };
    const admin = new AdminClient(() => child.adminUrl);
    return (await admin.metric('http_server_request_duration_seconds_count', labels)) ?? 0;
  };
  const send = (target: string, id: string, traceId: string) =>
    rawRequest(
      port,
      `GET ${target} HTTP/1.1\r\nHost: a\r\nx-request-id: ${id}\r\n` +
        `traceparent: 00-${traceId}-${randomBytes(8).toString('hex')}-01\r\n\r\n`,
    );

  it.each([
    ['a malformed escape', 400, '/%zz', 'MALFORMED_URL'],
    ['a malformed escape in a parameter', 400, '/api/counters/%E2%', 'MALFORMED_URL'],
    ['a parameter past maxParamLength', 414, `/api/items/${'a'.repeat(8_200)}`, 'URI_TOO_LONG'],
  ])(
    '%s → %d with one access line, one unmatched sample and one server span',
    async (_, status, target, code) => {
      const traceId = randomBytes(16).toString('hex');
      const id = `refused-${randomBytes(4).toString('hex')}`;
      const before = await refusals(status);
      const res = await send(target, id, traceId);
      expect({ status: res.status, requestId: res.headers['x-request-id'] }).toEqual({
        status,
        requestId: id,
      });
      expect(JSON.parse(res.body)).toMatchObject({ code, requestId: id, traceId });
      // A later request's span and line mark the point by which any second record had come.
      const markerTrace = randomBytes(16).toString('hex');
      await send('/nowhere', `${id}-marker`, markerTrace);
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === markerTrace));
      await until(() => accessLines(child, `${id}-marker`).length === 1, EVENTUALLY_MS);
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      expect(spans).toHaveLength(1);
      expect(spans[0]).toMatchObject({ name: 'GET', kind: SPAN_KIND.SERVER });
      expect(spans[0]?.attributes).toMatchObject({ 'http.response.status_code': status });
      expect(accessLines(child, id)).toEqual([
        expect.objectContaining({ method: 'GET', route: 'unmatched', status, trace_id: traceId }),
      ]);
      expect((await refusals(status)) - before).toBe(1);
    },
  );
});
