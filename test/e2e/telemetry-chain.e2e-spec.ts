import { startChild, type Child } from '../support/child-process.js';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';

const PRELOAD = ['--enable-source-maps', '--import', './dist/telemetry/telemetry.bootstrap.js'];
// A real PostgreSQL: the pg instrumentation patches the `pg` driver, not embedded PGlite.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('one trace across two instances and the database (A → B → PostgreSQL)', () => {
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
      OTEL_SDK_DISABLED: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      DATABASE_URL,
    };
    const b = await startChild({ ...traced, OTEL_SERVICE_NAME: 'rampart-b' }, { args: PRELOAD });
    children.push(b);
    const a = await startChild(
      { ...traced, OTEL_SERVICE_NAME: 'rampart-a', BACKEND_URLS: b.baseUrl },
      { args: PRELOAD },
    );
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
});
