import { BackendServer, stall } from '../support/backend-server.js';
import { freePort, type Child } from '../support/child-process.js';
import { OtlpGrpcReceiver } from '../support/otlp-grpc-receiver.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { startTraced } from '../support/traced-child.js';

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode === null) child.process.kill('SIGTERM');
  await child.exited;
}

/** A base URL nothing listens on: spans sent there never arrive anywhere. */
const deadEndpoint = async () => `http://127.0.0.1:${await freePort()}`;

describe('OTLP export variables (real exporter → real receivers on 127.0.0.1)', () => {
  it('http/protobuf: the traces endpoint is used as-is over the generic one, trace headers over generic ones, gzip', async () => {
    const receiver = new OtlpReceiver();
    const endpoint = await receiver.start();
    const child = await startTraced(await deadEndpoint(), {
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/custom/traces`,
      OTEL_EXPORTER_OTLP_HEADERS: 'X-Tenant=acme,Authorization=Basic%20generic',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Bearer%20s3cret',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
    });
    try {
      expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
      await receiver.waitFor((spans) => spans.some((s) => s.name === 'GET /hello'));
      expect(receiver.requests[0]).toMatchObject({
        path: '/custom/traces',
        headers: {
          'x-tenant': 'acme',
          authorization: 'Bearer s3cret',
          'content-encoding': 'gzip',
          'content-type': 'application/x-protobuf',
        },
      });
    } finally {
      await stop(child);
      await receiver.close();
    }
  });

  it('http/json: the generic endpoint gets /v1/traces; generic headers and compression apply', async () => {
    const receiver = new OtlpReceiver();
    const endpoint = await receiver.start();
    const child = await startTraced(endpoint, {
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k%2C1',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    try {
      expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
      await receiver.waitFor((spans) => spans.some((s) => s.name === 'GET /hello'));
      expect(receiver.requests[0]).toMatchObject({
        path: '/v1/traces',
        headers: {
          'x-api-key': 'k,1',
          'content-encoding': 'gzip',
          'content-type': 'application/json',
        },
      });
    } finally {
      await stop(child);
      await receiver.close();
    }
  });

  it('a string attribute is cut at OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT (1024 by default)', async () => {
    const receiver = new OtlpReceiver();
    const child = await startTraced(await receiver.start(), { OTEL_TRACES_SAMPLER: 'always_on' });
    try {
      const long = `/${'p'.repeat(3000)}`;
      const res = await fetch(`${child.baseUrl}${long}`, {
        headers: { 'user-agent': 'u'.repeat(8000) },
      });
      expect(res.status).toBe(404);
      await receiver.waitFor((spans) => spans.length === 1);
      const { attributes } = receiver.spans[0]!;
      expect(attributes['user_agent.original']).toBe('u'.repeat(1024));
      expect(attributes['url.path']).toBe(long.slice(0, 1024));
    } finally {
      await stop(child);
      await receiver.close();
    }
  });

  // Spans with a 4 KB user agent each: gzip shrinks a batch of them far below its decoded size,
  // while uncompressed gRPC framing only adds to it.
  const userAgent = `rampart-test/${'0123456789abcdef'.repeat(256)}`;
  it.each([
    ['gzip', (wire: number, decoded: number) => expect(wire).toBeLessThan(decoded / 4)],
    ['none', (wire: number, decoded: number) => expect(wire).toBeGreaterThan(decoded)],
  ])(
    'grpc: TraceService/Export on a real gRPC server, headers as metadata, compression %s on the wire',
    async (compression, checkWireBytes) => {
      const receiver = new OtlpGrpcReceiver();
      const endpoint = await receiver.start();
      const child = await startTraced(await deadEndpoint(), {
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=acme',
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: compression,
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '8192',
      });
      try {
        for (let i = 0; i < 10; i++) {
          const res = await fetch(`${child.baseUrl}/hello`, {
            headers: { 'user-agent': userAgent },
          });
          await res.text();
        }
        await receiver.waitFor((spans) => spans.length === 10);
        expect(receiver.spans[0]).toMatchObject({ name: 'GET /hello', service: 'rampart-test' });
        expect(receiver.spans[0]?.attributes['user_agent.original']).toBe(userAgent);
        expect(receiver.metadata[0]).toMatchObject({ 'x-tenant': 'acme' });
        checkWireBytes(receiver.wireBytes, receiver.messageBytes);
      } finally {
        await stop(child);
        await receiver.close();
      }
    },
  );

  it('an empty variable is unset for tracing too: the preload parses as main does', async () => {
    // `HELLO_DELAY_MS=` is unset to main.ts (its default); the preload once failed its own parse
    // on it and never started tracing, without a word.
    const receiver = new OtlpReceiver();
    const endpoint = await receiver.start();
    const child = await startTraced(endpoint, {
      OTEL_TRACES_SAMPLER: 'always_on',
      HELLO_DELAY_MS: '',
    });
    try {
      expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
      await receiver.waitFor((spans) => spans.some((s) => s.name === 'GET /hello'));
    } finally {
      await stop(child);
      await receiver.close();
    }
  });

  it.each([
    [
      'refuses connections',
      async () => ({ url: await deadEndpoint(), close: async () => undefined }),
    ],
    [
      'never answers',
      async () => {
        const silent = await new BackendServer(stall).start();
        return { url: silent.url, close: () => silent.close() };
      },
    ],
  ])(
    'a collector that %s costs the last spans at shutdown, not the exit status',
    async (_what, make) => {
      const collector = await make();
      const child = await startTraced(collector.url, {
        OTEL_TRACES_SAMPLER: 'always_on',
        // Spans wait for the shutdown's flush: a batch far in the future.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      try {
        for (let i = 0; i < 20; i++)
          expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
        child.process.kill('SIGTERM');
        expect(await child.exited).toBe(0);
        const output = child.output();
        expect(output).toMatch(/telemetry (not flushed in time|flush failed)/);
        expect(output).toContain('shutdown: step 7, exit');
        expect(output).not.toContain('shutdown deadline passed');
      } finally {
        await stop(child);
        await collector.close();
      }
    },
  );

  it('an export that outlives OTEL_EXPORTER_OTLP_TRACES_TIMEOUT is abandoned and counted as failed', async () => {
    const silent = await new BackendServer(stall).start();
    // The processor's own export timeout is far longer: only the exporter's can end the wait.
    const child = await startTraced(await deadEndpoint(), {
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${silent.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '200',
      OTEL_BSP_EXPORT_TIMEOUT: '600000',
    });
    try {
      expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
      const failed = async () => {
        const families = parsePrometheusText(
          await (await fetch(`${child.adminUrl}/metrics`)).text(),
        );
        return (
          families
            .get('otel_sdk_span_dropped_total')
            ?.samples.find((s) => s.labels.reason === 'export_failed')?.value ?? 0
        );
      };
      const until = Date.now() + 8000;
      while ((await failed()) === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await failed()).toBe(1);
      expect(silent.hits).toBeGreaterThanOrEqual(1);
    } finally {
      await stop(child);
      await silent.close();
    }
  });
});
