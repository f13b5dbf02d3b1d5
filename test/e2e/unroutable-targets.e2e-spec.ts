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
 * Nest's adapter sends a target that is neither origin- nor absolute-form to its not-found
 * handler from an onRequest hook of its own, before rampart's, when the router matched it anyway:
 * the router reads `*hello` and `*` as `/`, which has GET and HEAD. Those answers (400) carried
 * no trace id, started no span and had no deadline, where `POST *hello` (no route: every hook
 * runs) had all of them. Every one of them is the same refusal, and is told apart by the same
 * request identity.
 */
describe('targets Nest sends to its not-found handler (traced child process)', () => {
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

  const refusals = async (method: string): Promise<number> => {
    const labels = {
      http_route: 'unmatched',
      http_request_method: method,
      http_response_status_code: '400',
    };
    const admin = new AdminClient(() => child.adminUrl);
    return (await admin.metric('http_server_request_duration_seconds_count', labels)) ?? 0;
  };
  const accessLine = (id: string) => accessLines(child, id)[0];

  // POST *hello is the control: no route matches it, so it met every hook before and after.
  it.each([
    ['GET', '*hello'],
    ['GET', '*'],
    ['HEAD', '*'],
    ['POST', '*hello'],
  ])(
    '%s %s → 400 with its x-request-id, its trace id in the body, a server span, an access line and an unmatched sample',
    async (method, target) => {
      const traceId = randomBytes(16).toString('hex');
      const id = `unroutable-${method}-${target === '*' ? 'star' : 'hello'}`;
      const before = await refusals(method);
      const res = await rawRequest(
        port,
        `${method} ${target} HTTP/1.1\r\nHost: a\r\nx-request-id: ${id}\r\n` +
          `traceparent: 00-${traceId}-${randomBytes(8).toString('hex')}-01\r\n\r\n`,
        { head: method === 'HEAD' },
      );
      expect({ status: res.status, requestId: res.headers['x-request-id'] }).toEqual({
        status: 400,
        requestId: id,
      });
      if (method !== 'HEAD') {
        expect(JSON.parse(res.body)).toMatchObject({ code: 'BAD_REQUEST', requestId: id, traceId });
      }
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId));
      const span = receiver.spans.find((s) => s.traceId === traceId);
      expect(span).toMatchObject({ name: method, kind: SPAN_KIND.SERVER });
      expect(span?.attributes).toMatchObject({ 'http.response.status_code': 400 });
      await until(() => accessLine(id) !== undefined, EVENTUALLY_MS);
      expect(accessLine(id)).toMatchObject({
        method,
        route: 'unmatched',
        status: 400,
        trace_id: traceId,
      });
      expect((await refusals(method)) - before).toBe(1);
    },
  );
});
