import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../support/admin-client.js';
import { logLines, type Child } from '../support/child-process.js';
import { json } from '../support/http.js';
import { OtlpReceiver, SPAN_KIND, type ReceivedSpan } from '../support/otlp-receiver.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { rawRequest } from '../support/raw-http.js';
import { startTraced } from '../support/traced-child.js';
import { eventually } from '../support/wait.js';

/** A sampled W3C traceparent from a caller we pretend to be. */
function sampledParent(): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode === null) child.process.kill('SIGTERM');
  await child.exited;
}

describe('tracing (real exporter → OTLP receiver on 127.0.0.1, real child processes)', () => {
  let receiver: OtlpReceiver;
  let endpoint: string;

  beforeEach(async () => {
    receiver = new OtlpReceiver();
    endpoint = await receiver.start();
  });
  afterEach(() => receiver.close());

  it('honours a sampled parent even at ratio 0: one SERVER span named by route, under the caller', async () => {
    const child = await startTraced(endpoint, { OTEL_TRACES_SAMPLER_ARG: '0' });
    try {
      const parent = sampledParent();
      const res = await fetch(`${child.baseUrl}/hello`, {
        headers: { traceparent: parent.header },
      });
      expect(res.status).toBe(200);
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === parent.traceId));
      const spans = receiver.spans.filter((s) => s.traceId === parent.traceId);
      expect(spans).toHaveLength(1);
      const [span] = spans;
      expect(span).toMatchObject({
        name: 'GET /hello',
        kind: SPAN_KIND.SERVER,
        parentSpanId: parent.spanId,
        service: 'rampart-test',
        scope: 'rampart.http.server',
      });
      expect(span?.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.route': '/hello',
        'http.response.status_code': 200,
        'url.path': '/hello',
      });
      expect(receiver.contentTypes[0]).toBe('application/x-protobuf');
    } finally {
      await stop(child);
    }
  });

  it('exports nothing for unsampled roots at ratio 0, and never traces probes or the admin port', async () => {
    const child = await startTraced(endpoint, { OTEL_TRACES_SAMPLER_ARG: '0' });
    try {
      for (let i = 0; i < 20; i++) await (await fetch(`${child.baseUrl}/hello`)).text();
      await (await fetch(`${child.adminUrl}/metrics`)).text();
      // A sampled marker request: once it arrives, anything exported before it has arrived too.
      const marker = sampledParent();
      for (const path of ['/healthz', '/readyz', '/startupz', '/hello']) {
        await (
          await fetch(`${child.baseUrl}${path}`, { headers: { traceparent: marker.header } })
        ).text();
      }
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === marker.traceId));
      expect(receiver.spans.map((s) => s.name)).toEqual(['GET /hello']);
    } finally {
      await stop(child);
    }
  });

  it('always_on samples a root request; http/json is honoured', async () => {
    const child = await startTraced(endpoint, {
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    try {
      await (await fetch(`${child.baseUrl}/nowhere`)).text();
      await receiver.waitFor((spans) => spans.length === 1);
      expect(receiver.spans[0]).toMatchObject({ name: 'GET', parentSpanId: '', kind: 2 });
      expect(receiver.spans[0]?.attributes['http.response.status_code']).toBe(404);
      expect(receiver.contentTypes[0]).toBe('application/json');
    } finally {
      await stop(child);
    }
  });

  // Absolute-form targets are refused (userinfo, fragment) or served from their path, each a
  // request with a span: url.path held the whole target, a password in the userinfo included.
  it("url.path is the target's path alone: no scheme, host, userinfo, query or fragment", async () => {
    const child = await startTraced(endpoint, { OTEL_TRACES_SAMPLER: 'always_on' });
    try {
      const targets = [
        'http://user:s3cret@example.test/hello?token=q',
        'http://example.test/api/items/1?cursor=c',
        '/hello#access_token=f',
      ];
      for (const target of targets) {
        await rawRequest(child.ports.port!, `GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
      }
      await receiver.waitFor((spans) => spans.length === targets.length);
      const paths = receiver.spans.map((s) => s.attributes['url.path']);
      expect(paths.sort()).toEqual(['/api/items/1', '/hello', '/hello']);
    } finally {
      await stop(child);
    }
  });

  /**
   * Sends `line` (method and target) over a raw socket, with a sampled traceparent, an
   * x-request-id and `headers`; waits for its span. Node's parser takes methods no HTTP client
   * sends on its own (PROPFIND, MKCOL, PURGE), and their requests reach every hook.
   */
  async function sampledRaw(
    child: Child,
    line: string,
    headers = 'Host: a\r\n',
  ): Promise<{ status: number; span: ReceivedSpan; requestId: string }> {
    const parent = sampledParent();
    const requestId = `raw-${parent.traceId}`;
    const res = await rawRequest(
      child.ports.port!,
      `${line} HTTP/1.1\r\n${headers}traceparent: ${parent.header}\r\nx-request-id: ${requestId}\r\n\r\n`,
      { head: line.startsWith('HEAD '), lingerMs: 0 },
    );
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === parent.traceId));
    const span = receiver.spans.find((s) => s.traceId === parent.traceId)!;
    return { status: res.status, span, requestId };
  }

  // OTel HTTP semconv: a method outside the known ones is `_OTHER` with the method as sent in
  // http.request.method_original, and the span is named `HTTP` in place of the method.
  it('a method outside the known ones is _OTHER, named HTTP, sent as method_original; the access log keeps it', async () => {
    const child = await startTraced(endpoint, { OTEL_TRACES_SAMPLER_ARG: '0', LOG_LEVEL: 'info' });
    try {
      for (const [line, method] of [
        ['PROPFIND /hello', 'PROPFIND'],
        ['MKCOL /nowhere', 'MKCOL'],
        ['PURGE /hello', 'PURGE'],
      ] as const) {
        const { status, span, requestId } = await sampledRaw(child, line);
        expect(status).toBeGreaterThanOrEqual(400);
        expect({ line, name: span.name }).toEqual({ line, name: 'HTTP' });
        expect(span.attributes).toMatchObject({
          'http.request.method': '_OTHER',
          'http.request.method_original': method,
          'http.response.status_code': status,
        });
        await eventually(async () => logLines(child).some((l) => l.reqId === requestId), 10_000);
        const access = logLines(child).find((l) => l.reqId === requestId && l.msg === 'request');
        expect(access).toMatchObject({ method, status });
      }
      // QUERY is known (semconv 1.38), as is GET: named by it, no method_original.
      for (const line of ['QUERY /hello', 'GET /hello']) {
        const { span } = await sampledRaw(child, line);
        const method = line.split(' ')[0];
        expect(span.name).toBe(line === 'GET /hello' ? 'GET /hello' : 'QUERY');
        expect(span.attributes['http.request.method']).toBe(method);
        expect(span.attributes).not.toHaveProperty(['http.request.method_original']);
      }
    } finally {
      await stop(child);
    }
  });

  it('OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS replaces the known methods, for the span name and the histogram', async () => {
    const child = await startTraced(endpoint, {
      OTEL_TRACES_SAMPLER_ARG: '0',
      OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GET, PROPFIND',
    });
    try {
      // HEAD is no longer known: a route's span is `HTTP /route`.
      const head = await sampledRaw(child, 'HEAD /hello');
      expect(head.status).toBe(200);
      expect(head.span.name).toBe('HTTP /hello');
      expect(head.span.attributes).toMatchObject({
        'http.request.method': '_OTHER',
        'http.request.method_original': 'HEAD',
        'http.route': '/hello',
      });
      const propfind = await sampledRaw(child, 'PROPFIND /hello');
      expect(propfind.span.name).toBe('PROPFIND');
      expect(propfind.span.attributes['http.request.method']).toBe('PROPFIND');
      expect(propfind.span.attributes).not.toHaveProperty(['http.request.method_original']);
      const families = parsePrometheusText(await (await fetch(`${child.adminUrl}/metrics`)).text());
      const count = (method: string) =>
        sampleValue(families, 'http_server_request_duration_seconds_count', {
          http_route: '/hello',
          http_request_method: method,
          http_response_status_code: '200',
        });
      expect({ other: count('_OTHER'), head: count('HEAD') }).toEqual({
        other: 1,
        head: undefined,
      });
    } finally {
      await stop(child);
    }
  });

  // HTTP semconv, "Setting server.address and server.port": the host the client named (a trusted
  // proxy's X-Forwarded-Host first), never the listener's; url.query when one was sent, with
  // signed-URL secrets redacted; network.peer.port beside network.peer.address.
  it('server.address and .port are the host the client named; url.query has its secrets redacted; network.peer.port', async () => {
    const child = await startTraced(endpoint, {
      OTEL_TRACES_SAMPLER_ARG: '0',
      TRUST_PROXY: 'loopback',
    });
    try {
      // /status/200 takes any query; node:http, to read the connection's own port.
      const parent = sampledParent();
      let clientPort: number | undefined;
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const query = 'name=a%20b&sig=s3cret&X-Goog-Signature=abc&Signature=&signature=kept';
        const req = request(`${child.baseUrl}/status/200?${query}`, {
          agent: false,
          headers: { host: 'api.example.test:8443', traceparent: parent.header },
        });
        req.on('socket', (socket) => socket.once('connect', () => (clientPort = socket.localPort)));
        req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode)));
        req.on('error', reject).end();
      });
      expect(status).toBe(200);
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === parent.traceId));
      const span = receiver.spans.find((s) => s.traceId === parent.traceId)!;
      expect(clientPort).toEqual(expect.any(Number));
      expect(span.attributes).toMatchObject({
        'server.address': 'api.example.test',
        'server.port': 8443,
        'url.path': '/status/200',
        'url.query':
          'name=a%20b&sig=REDACTED&X-Goog-Signature=REDACTED&Signature=&signature=REDACTED',
        'network.peer.address': '127.0.0.1',
        'network.peer.port': clientPort,
      });

      const addressed = async (line: string, headers: string) =>
        (await sampledRaw(child, line, headers)).span.attributes;
      // No port: the scheme's. An IPv6 literal without its brackets.
      expect(await addressed('GET /hello', 'Host: plain.example\r\n')).toMatchObject({
        'server.address': 'plain.example',
        'server.port': 80,
      });
      expect(await addressed('GET /hello', 'Host: [::1]:9000\r\n')).toMatchObject({
        'server.address': '::1',
        'server.port': 9000,
      });
      // An empty port is the scheme's (RFC 9110 §4.2.1), leading zeros are the number; past
      // 65535 or six digits it is no port (refused, but the span is there), and none recorded.
      expect(await addressed('GET /hello', 'Host: empty.example:\r\n')).toMatchObject({
        'server.address': 'empty.example',
        'server.port': 80,
      });
      expect(await addressed('GET /hello', 'Host: zeros.example:0080\r\n')).toMatchObject({
        'server.port': 80,
      });
      for (const port of ['65536', '123456', '8o']) {
        const odd = await addressed('GET /hello', `Host: odd.example:${port}\r\n`);
        expect(odd).toMatchObject({ 'server.address': 'odd.example' });
        expect(odd).not.toHaveProperty(['server.port']);
      }
      // An absolute-form target's authority stands for the Host (RFC 9112 §3.2.2), never its
      // userinfo; no query sent, none recorded.
      const absolute = await addressed(
        'GET http://user:s3cret@abs.example:8081/hello',
        'Host: other.example\r\n',
      );
      expect(absolute).toMatchObject({ 'server.address': 'abs.example', 'server.port': 8081 });
      expect(absolute).not.toHaveProperty(['url.query']);
      expect(JSON.stringify(absolute)).not.toContain('s3cret');
      // A trusted proxy's X-Forwarded-Host and -Proto: the client's host, the scheme's port.
      expect(
        await addressed(
          'GET /hello?',
          'Host: rampart.internal:8080\r\nX-Forwarded-Host: shop.example\r\nX-Forwarded-Proto: https\r\n',
        ),
      ).toMatchObject({
        'server.address': 'shop.example',
        'server.port': 443,
        'url.scheme': 'https',
        'url.query': '',
      });
    } finally {
      await stop(child);
    }
  });

  // A secret's key in another case or percent-encoded is the same key to the service that reads
  // it: `?SIGNATURE=x`, `?Access_Token=x` and `?%73ig=x` gave their values to the trace backend
  // and /debug/tracez. A key that does not decode cannot be told apart from one: redacted too.
  it('url.query redacts a secret key in any case and percent-encoded, and a key that does not decode', async () => {
    const child = await startTraced(endpoint, { OTEL_TRACES_SAMPLER_ARG: '0' });
    try {
      const parent = sampledParent();
      const query =
        'SIGNATURE=s1&Access_Token=t2&%73ig=s3&X-Goog%2dSignature=s4&AWSACCESSKEYID=k5' +
        '&%zz=u6&name=%73ig&q=1';
      const res = await fetch(`${child.baseUrl}/status/200?${query}`, {
        headers: { traceparent: parent.header },
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === parent.traceId));
      const span = receiver.spans.find((s) => s.traceId === parent.traceId)!;
      expect(span.attributes['url.query']).toBe(
        'SIGNATURE=REDACTED&Access_Token=REDACTED&%73ig=REDACTED&X-Goog%2dSignature=REDACTED' +
          '&AWSACCESSKEYID=REDACTED&%zz=REDACTED&name=%73ig&q=1',
      );
    } finally {
      await stop(child);
    }
  });

  it('a client that leaves mid-request still gets its span exported, marked client_closed', async () => {
    const child = await startTraced(endpoint, { OTEL_TRACES_SAMPLER: 'always_on' });
    try {
      const parent = sampledParent();
      const leaving = new AbortController();
      const request = fetch(`${child.baseUrl}/hello?delay=5s`, {
        headers: { traceparent: parent.header },
        signal: leaving.signal,
      });
      // It leaves once the service has it, not 150 ms after the send: a test process that was
      // busy past 150 ms ran that timer before its socket had sent anything, and with no request
      // there was no span to wait for.
      const admin = new AdminClient(() => child.adminUrl);
      await eventually(
        async () => ((await admin.metric('http_server_active_requests')) ?? 0) >= 1,
        10_000,
      );
      leaving.abort();
      await expect(request).rejects.toThrow();
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === parent.traceId));
      const span = receiver.spans.find((s) => s.traceId === parent.traceId);
      expect(span?.attributes['error.type']).toBe('client_closed');
      expect(span?.statusCode).toBe(2); // STATUS_CODE_ERROR
      expect(span?.attributes['http.response.status_code']).toBeUndefined();
    } finally {
      await stop(child);
    }
  });

  it('the bootstrap keeps compiled modules in <tmpdir>/node-compile-cache for the next start', async () => {
    // TMPDIR, not NODE_COMPILE_CACHE: that variable would switch the cache on by itself.
    const tmp = mkdtempSync(join(tmpdir(), 'rampart-tmpdir-'));
    try {
      const child = await startTraced(endpoint, { TMPDIR: tmp });
      await stop(child);
      const cacheDir = join(tmp, 'node-compile-cache');
      const entries = readdirSync(cacheDir, { recursive: true, withFileTypes: true });
      // One cache file per compiled module: the bundle's chunks (the app, Nest, Fastify,
      // OpenTelemetry) and the packages left outside it, pg and ioredis with their ~100 files.
      expect(entries.filter((e) => e.isFile()).length).toBeGreaterThan(50);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('log lines inside a traced request (access log, deadline warning) carry its trace id', async () => {
    const child = await startTraced(endpoint, { OTEL_TRACES_SAMPLER_ARG: '0' });
    try {
      const parent = sampledParent();
      const res = await fetch(`${child.baseUrl}/hello?delay=2s`, {
        headers: { traceparent: parent.header, 'x-request-timeout': '50ms' },
      });
      expect(res.status).toBe(504);
      expect((await json(res)).traceId).toBe(parent.traceId);
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === parent.traceId));
      const serverSpan = receiver.spans.find((s) => s.traceId === parent.traceId);
      expect(serverSpan?.statusCode).toBe(2); // STATUS_CODE_ERROR
      const lines = logLines(child);
      const access = lines.find((l) => l.module === 'http' && l.status === 504);
      const warning = lines.find((l) => l.code === 'REQUEST_DEADLINE_EXCEEDED');
      for (const line of [access, warning]) {
        expect(line).toMatchObject({ trace_id: parent.traceId, span_id: serverSpan?.spanId });
      }
    } finally {
      await stop(child);
    }
  });

  it('flushes the spans of the last requests on SIGTERM, after the drain', async () => {
    // A schedule delay far beyond the test: only the shutdown flush can deliver these spans.
    const child = await startTraced(endpoint, {
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    const inFlight = fetch(`${child.baseUrl}/hello?delay=300ms`);
    await Promise.all(
      Array.from({ length: 5 }, async () => (await fetch(`${child.baseUrl}/hello`)).text()),
    );
    child.process.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await child.exited).toBe(0);
    expect(receiver.spans.filter((s) => s.name === 'GET /hello')).toHaveLength(6);
  });
});
