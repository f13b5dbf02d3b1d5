import { BackendServer, stall } from '../support/backend-server.js';
import { freePort, type Child } from '../support/child-process.js';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';
import { startTraced } from '../support/traced-child.js';
// A real PostgreSQL: the pg instrumentation patches the `pg` driver, not embedded PGlite.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('traces across instances, PostgreSQL, Redis and the resilience policies', () => {
  const receiver = new OtlpReceiver();
  const children: Child[] = [];

  afterAll(async () => {
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await receiver.close();
  });

  it('A server → A client → B server → pg: parent links intact, one trace id', async () => {
    const endpoint = await receiver.start();
    const traced = {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1',
      DATABASE_URL,
    };
    const b = await startTraced(endpoint, { ...traced, OTEL_SERVICE_NAME: 'rampart-b' });
    children.push(b);
    const a = await startTraced(endpoint, {
      ...traced,
      OTEL_SERVICE_NAME: 'rampart-a',
      BACKEND_URLS: b.baseUrl,
    });
    children.push(a);

    const res = await fetch(`${a.baseUrl}/api/fanout`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { backends: Array<{ ok: boolean }> };
    expect(body.backends[0]?.ok).toBe(true);

    const PG_SCOPE = '@opentelemetry/instrumentation-pg';
    await receiver.waitFor(
      (spans) =>
        spans.some((s) => s.service === 'rampart-a' && s.kind === SPAN_KIND.SERVER) &&
        spans.some((s) => s.scope === PG_SCOPE && s.name.startsWith('pg.query')),
    );
    const aServer = receiver.spans.find(
      (s) => s.service === 'rampart-a' && s.kind === SPAN_KIND.SERVER,
    );
    expect(aServer).toMatchObject({ name: 'GET /api/fanout', parentSpanId: '' });
    const trace = receiver.spans.filter((s) => s.traceId === aServer?.traceId);
    const aClient = trace.find((s) => s.service === 'rampart-a' && s.kind === SPAN_KIND.CLIENT);
    const bServer = trace.find((s) => s.service === 'rampart-b' && s.kind === SPAN_KIND.SERVER);
    const query = trace.find((s) => s.scope === PG_SCOPE && s.name.startsWith('pg.query'));
    expect(aClient).toMatchObject({
      parentSpanId: aServer?.spanId,
      scope: expect.stringContaining('undici'),
    });
    expect(aClient?.attributes['url.full']).toBe(`${b.baseUrl}/api/fanout`);
    expect(bServer).toMatchObject({ name: 'GET /api/fanout', parentSpanId: aClient?.spanId });
    expect(query).toMatchObject({
      service: 'rampart-b',
      kind: SPAN_KIND.CLIENT,
      parentSpanId: bServer?.spanId,
    });
    expect(query?.attributes['db.query.text']).toContain('current_database()');
    // Everything this request caused is in this one trace: nothing leaked into another.
    expect(receiver.spans.every((s) => s.traceId === aServer?.traceId)).toBe(true);
  });

  it('a Redis command inside a request (the shared rate limiter) is an ioredis span under it', async () => {
    const redisReceiver = new OtlpReceiver();
    const endpoint = await redisReceiver.start();
    const child = await startTraced(endpoint, {
      OTEL_TRACES_SAMPLER: 'always_on',
      DATABASE_URL,
      REDIS_URL,
      RATE_LIMIT_PER_MINUTE: '1000',
    });
    try {
      expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
      const IOREDIS = '@opentelemetry/instrumentation-ioredis';
      await redisReceiver.waitFor((spans) => spans.some((s) => s.scope === IOREDIS));
      const server = redisReceiver.spans.find((s) => s.name === 'GET /hello');
      const command = redisReceiver.spans.find((s) => s.scope === IOREDIS);
      expect(command).toMatchObject({
        kind: SPAN_KIND.CLIENT,
        traceId: server?.traceId,
        parentSpanId: server?.spanId,
      });
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
      await redisReceiver.close();
    }
  });

  it('resilience decisions are events on the server span: retry, then the breaker opening', async () => {
    const policyReceiver = new OtlpReceiver();
    const endpoint = await policyReceiver.start();
    const child = await startTraced(endpoint, {
      OTEL_TRACES_SAMPLER: 'always_on',
      DATABASE_URL,
      // Nothing listens there: connection refused, retryable, and counted by the breaker.
      BACKEND_URLS: `http://127.0.0.1:${await freePort()}`,
      UPSTREAM_RETRY_MAX: '1',
      UPSTREAM_RETRY_BUDGET_PERCENT: '100',
      UPSTREAM_BREAKER_THRESHOLD: '2',
    });
    try {
      expect((await fetch(`${child.baseUrl}/api/fanout`)).status).toBe(200);
      await policyReceiver.waitFor((spans) => spans.some((s) => s.name === 'GET /api/fanout'));
      const server = policyReceiver.spans.find((s) => s.name === 'GET /api/fanout');
      const names = server?.events.map((e) => e.name) ?? [];
      expect(names).toContain('upstream.retry');
      expect(names).toContain('upstream.circuit_open');
      expect(server?.events.find((e) => e.name === 'upstream.retry')?.attributes).toMatchObject({
        'upstream.backend': expect.any(String),
      });
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
      await policyReceiver.close();
    }
  });

  // cockatiel's attempt timeout aborts without a reason: undici's bare AbortError read as a
  // cancellation the caller chose, and the span ended unset, as if the backend had answered.
  it('an attempt UPSTREAM_TIMEOUT_MS cuts is a failed CLIENT span, UPSTREAM_TIMEOUT, as one the deadline cuts', async () => {
    const backend = await new BackendServer(stall).start();
    const timeoutReceiver = new OtlpReceiver();
    const child = await startTraced(await timeoutReceiver.start(), {
      OTEL_TRACES_SAMPLER: 'always_on',
      DATABASE_URL,
      BACKEND_URLS: backend.url,
      UPSTREAM_TIMEOUT_MS: '300',
    });
    try {
      const attemptCut = await fetch(`${child.baseUrl}/api/fanout`);
      expect(attemptCut.status).toBe(200);
      // The request's deadline comes before UPSTREAM_TIMEOUT_MS: the call's guard cuts it.
      await (
        await fetch(`${child.baseUrl}/api/fanout`, { headers: { 'x-request-timeout': '250' } })
      ).text();
      const clients = () => timeoutReceiver.spans.filter((s) => s.kind === SPAN_KIND.CLIENT);
      await timeoutReceiver.waitFor(() => clients().length === 2);
      for (const span of clients()) {
        expect(span.statusCode).toBe(2); // STATUS_CODE_ERROR
        expect(span.attributes['error.type']).toBe('UPSTREAM_TIMEOUT');
        expect(span.events.map((e) => e.name)).toContain('exception');
      }
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
      await timeoutReceiver.close();
      await backend.close();
    }
  });
});
