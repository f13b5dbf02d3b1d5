import { randomBytes } from 'node:crypto';
import { BackendServer, RecordingProxy } from '../support/backend-server.js';
import { startChild, type Child } from '../support/child-process.js';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';
import { startTraced } from '../support/traced-child.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('OTEL_PROPAGATORS: real B3, Jaeger and baggage headers across real instances', () => {
  const receiver = new OtlpReceiver();
  let endpoint: string;
  const children: Child[] = [];
  const servers: BackendServer[] = [];

  beforeAll(async () => {
    endpoint = await receiver.start();
  });
  afterAll(async () => {
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await Promise.all(servers.map((s) => s.close()));
    await receiver.close();
  });

  async function server<T extends BackendServer>(s: T): Promise<T> {
    servers.push(s);
    return s.start();
  }
  async function instance(name: string, env: Record<string, string>): Promise<Child> {
    const child = await startTraced(endpoint, { OTEL_SERVICE_NAME: name, ...env });
    children.push(child);
    return child;
  }

  it('caller (B3 multi) → A (b3multi,baggage) → B (b3,baggage) → leaf: one trace, baggage at every hop', async () => {
    const leaf = await server(new BackendServer());
    const b = await instance('rampart-b', {
      OTEL_PROPAGATORS: 'b3,baggage',
      BACKEND_URLS: leaf.url,
    });
    const aToB = await server(new RecordingProxy(() => b.baseUrl));
    const a = await instance('rampart-a', {
      OTEL_PROPAGATORS: 'b3multi,baggage',
      BACKEND_URLS: aToB.url,
    });

    const traceId = hex(16);
    const callerSpanId = hex(8);
    const res = await fetch(`${a.baseUrl}/api/fanout`, {
      headers: {
        'x-b3-traceid': traceId,
        'x-b3-spanid': callerSpanId,
        'x-b3-sampled': '1',
        baggage: 'tenant=acme,plan=gold%20tier',
      },
    });
    expect(res.status).toBe(200);
    await receiver.waitFor(
      (spans) =>
        spans.filter((s) => s.traceId === traceId && s.kind === SPAN_KIND.CLIENT).length >= 2,
    );
    const trace = receiver.spans.filter((s) => s.traceId === traceId);
    const span = (service: string, kind: number) =>
      trace.find((s) => s.service === service && s.kind === kind);
    const aServer = span('rampart-a', SPAN_KIND.SERVER);
    const aClient = span('rampart-a', SPAN_KIND.CLIENT);
    const bServer = span('rampart-b', SPAN_KIND.SERVER);
    const bClient = span('rampart-b', SPAN_KIND.CLIENT);
    expect(aServer?.parentSpanId).toBe(callerSpanId);
    expect(bServer?.parentSpanId).toBe(aClient?.spanId);
    expect(bClient?.parentSpanId).toBe(bServer?.spanId);

    // What A sent B: the X-B3-* headers and the caller's baggage, no W3C traceparent.
    const sentToB = aToB.received[0]?.headers ?? {};
    expect(sentToB).toMatchObject({
      'x-b3-traceid': traceId,
      'x-b3-spanid': aClient?.spanId,
      'x-b3-sampled': '1',
    });
    expect(sentToB.traceparent).toBeUndefined();
    expect(baggageOf(sentToB.baggage)).toEqual({ tenant: 'acme', plan: 'gold tier' });
    // What B sent on: the single b3 header, and the baggage it received from A.
    const sentByB = leaf.received[0]?.headers ?? {};
    expect(sentByB.b3).toBe(`${traceId}-${bClient?.spanId}-1`);
    expect(sentByB['x-b3-traceid']).toBeUndefined();
    expect(baggageOf(sentByB.baggage)).toEqual({ tenant: 'acme', plan: 'gold tier' });
  });

  it('jaeger: uber-trace-id and uberctx-* baggage in, the same trace and baggage out', async () => {
    const leaf = await server(new BackendServer());
    const c = await instance('rampart-c', {
      OTEL_PROPAGATORS: 'jaeger',
      BACKEND_URLS: leaf.url,
    });
    // A 64-bit trace id, as older Jaeger clients send: read as the 128-bit id it pads to.
    const shortTraceId = hex(8);
    const callerSpanId = hex(8);
    const res = await fetch(`${c.baseUrl}/api/fanout`, {
      headers: {
        'uber-trace-id': `${shortTraceId}:${callerSpanId}:0:1`,
        'uberctx-tenant': 'acme',
      },
    });
    expect(res.status).toBe(200);
    const traceId = shortTraceId.padStart(32, '0');
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.kind === SPAN_KIND.CLIENT),
    );
    const cServer = receiver.spans.find(
      (s) => s.traceId === traceId && s.kind === SPAN_KIND.SERVER,
    );
    const cClient = receiver.spans.find(
      (s) => s.traceId === traceId && s.kind === SPAN_KIND.CLIENT,
    );
    expect(cServer?.parentSpanId).toBe(callerSpanId);
    expect(leaf.received[0]?.headers).toMatchObject({
      'uber-trace-id': `${traceId}:${cClient?.spanId}:0:01`,
      'uberctx-tenant': 'acme',
    });
    expect(leaf.received[0]?.headers.traceparent).toBeUndefined();
  });

  it('refuses to start on an unknown propagator or protocol, naming each variable (exit 78)', async () => {
    const child = await startChild(
      {
        OTEL_SDK_DISABLED: 'false',
        OTEL_PROPAGATORS: 'tracecontext,zipkin',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift',
      },
      { waitReady: false },
    );
    expect(await child.exited).toBe(78);
    expect(child.output()).toContain('OTEL_PROPAGATORS: unknown propagator "zipkin"');
    expect(child.output()).toContain('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL');
  });
});

/** A W3C baggage header as key → decoded value. */
function baggageOf(header: string | string[] | undefined): Record<string, string> {
  const entries = String(header ?? '')
    .split(',')
    .filter((entry) => entry.includes('='))
    .map((entry) => entry.split('=').map((part) => decodeURIComponent(part.trim())));
  return Object.fromEntries(entries);
}
