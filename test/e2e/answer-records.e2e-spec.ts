import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { AdminClient } from '../support/admin-client.js';
import { accessLines, type Child } from '../support/child-process.js';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';
import { startTracedWithReceiver, type TracedChild } from '../support/traced-child.js';
import { eventually, until } from '../support/wait.js';

/** A failure bound for what the test has already caused, on a busy shared machine. */
const EVENTUALLY_MS = 15_000;

interface Case {
  route: string;
  method: string;
  status: number;
  /** The request's head, less Host, x-request-id and traceparent. */
  head: string;
  body?: string;
  /** The client leaves once the request is sent (499); else it reads the answer. */
  leaves?: boolean;
  /** The client sends its body a byte at a time, and never all of it (408). */
  trickles?: boolean;
}

const CASES: Record<string, Case> = {
  '200': { route: '/hello', method: 'GET', status: 200, head: 'GET /hello' },
  '304 (If-None-Match)': { route: '/api/items/:id', method: 'GET', status: 304, head: '' },
  '400 (a query the route refuses)': {
    route: '/hello',
    method: 'GET',
    status: 400,
    head: 'GET /hello?delay=nope',
  },
  '404': { route: 'unmatched', method: 'GET', status: 404, head: 'GET /no/such' },
  '405': { route: 'unmatched', method: 'DELETE', status: 405, head: 'DELETE /hello' },
  '413 (declared length)': {
    route: '/echo',
    method: 'POST',
    status: 413,
    head: 'POST /echo\r\ncontent-type: application/json\r\ncontent-length: 99999999',
    body: '{}',
  },
  '415': {
    route: '/echo',
    method: 'POST',
    status: 415,
    head: 'POST /echo\r\ncontent-type: text/plain\r\ncontent-length: 2',
    body: 'hi',
  },
  '500 (requested)': {
    route: '/status/:code',
    method: 'GET',
    status: 500,
    head: 'GET /status/500',
  },
  '504 (deadline)': {
    route: '/hello',
    method: 'GET',
    status: 504,
    head: 'GET /hello?delay=5s\r\nx-request-timeout: 100',
  },
  '408 (body unfinished at the deadline)': {
    route: '/echo',
    method: 'POST',
    status: 408,
    head: 'POST /echo\r\ncontent-type: application/json\r\ncontent-length: 100\r\nx-request-timeout: 200',
    body: '{',
    trickles: true,
  },
  '499 (client gone mid-request)': {
    route: '/hello',
    method: 'GET',
    status: 499,
    head: 'GET /hello?delay=5s',
    leaves: true,
  },
};

/** The request after each case, on a series no case counts in. */
const MARKER: Case = { route: 'unmatched', method: 'PUT', status: 404, head: 'PUT /no/such' };

/**
 * Every way a request on the public port can end gives exactly one record of each kind: one
 * access line, one histogram sample under its route, method and status, and one server span
 * with that status. A path that gave none hid its requests from the operator; one that gave two
 * doubled them in every rate.
 */
describe('one access line, one histogram sample and one span per answer (traced child process)', () => {
  let traced: TracedChild;
  let receiver: OtlpReceiver;
  let child: Child;
  let port: number;
  let itemPath: string;
  let itemTag: string;

  beforeAll(async () => {
    // Ratio 0: only the caller's sampled traceparent decides, so each request's span is its own.
    traced = await startTracedWithReceiver({ OTEL_TRACES_SAMPLER_ARG: '0', LOG_LEVEL: 'info' });
    ({ receiver, child, port } = traced);
    const created = await fetch(`${child.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `answer-records-${randomBytes(4).toString('hex')}` }),
    });
    const { id } = (await created.json()) as { id: string };
    itemPath = `/api/items/${id}`;
    itemTag = (await fetch(`${child.baseUrl}${itemPath}`)).headers.get('etag')!;
  });
  afterAll(() => traced.stop());

  const samples = async (c: Case): Promise<number> => {
    const labels = {
      http_route: c.route,
      http_request_method: c.method,
      http_response_status_code: String(c.status),
    };
    const admin = new AdminClient(() => child.adminUrl);
    return (await admin.metric('http_server_request_duration_seconds_count', labels)) ?? 0;
  };

  const inFlight = () =>
    eventually(async () => {
      const admin = new AdminClient(() => child.adminUrl);
      return ((await admin.metric('http_server_active_requests')) ?? 0) > 0;
    }, EVENTUALLY_MS);

  /** Sends the request; resolves with the status line's code (0 when the client left). */
  const send = (c: Case, id: string, traceId: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const head = c.head || `GET ${itemPath}\r\nif-none-match: ${itemTag}`;
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      let trickle: NodeJS.Timeout | undefined;
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', reject);
      socket.on('close', () => {
        clearInterval(trickle);
        resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
      });
      const [line, ...fields] = head.split('\r\n');
      socket.write(
        `${line} HTTP/1.1\r\nHost: a\r\nx-request-id: ${id}\r\nconnection: close\r\n` +
          `traceparent: 00-${traceId}-${randomBytes(8).toString('hex')}-01\r\n` +
          fields.map((f) => `${f}\r\n`).join('') +
          `\r\n${c.body ?? ''}`,
      );
      if (c.trickles) trickle = setInterval(() => socket.write(' '), 50);
      // Gone once the server holds its request in flight: its span and deadline have begun.
      if (c.leaves) void inFlight().then(() => socket.destroy());
    });

  it.each(Object.entries(CASES))('%s', async (_, c) => {
    const traceId = randomBytes(16).toString('hex');
    const id = `answer-${c.status}-${randomBytes(4).toString('hex')}`;
    const before = await samples(c);
    expect(await send(c, id, traceId)).toBe(c.leaves ? 0 : c.status);
    // A later request's span and line mark the point by which any second record had come.
    const marker = randomBytes(16).toString('hex');
    await send(MARKER, `${id}-marker`, marker);
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === marker), EVENTUALLY_MS);
    await until(() => accessLines(child, `${id}-marker`).length === 1, EVENTUALLY_MS);
    await until(() => accessLines(child, id).length > 0, EVENTUALLY_MS);
    expect(accessLines(child, id)).toEqual([
      expect.objectContaining({
        level: 'info',
        method: c.method,
        route: c.route,
        status: c.status,
        trace_id: traceId,
      }),
    ]);
    expect((await samples(c)) - before).toBe(1);
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    expect(spans).toHaveLength(1);
    expect(spans[0]?.kind).toBe(SPAN_KIND.SERVER);
    // A client that left has no response status (telemetry.e2e-spec.ts: marked client_closed).
    expect(spans[0]?.attributes['http.response.status_code']).toBe(c.leaves ? undefined : c.status);
  });
});
