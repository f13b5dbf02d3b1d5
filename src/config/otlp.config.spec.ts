import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';
import { otlpTracesTarget } from './otlp.config.js';

const target = (env: Record<string, string>) => otlpTracesTarget(loadConfig(env));

describe('OTLP exporter variables', () => {
  it('exports nothing when neither endpoint is set', () => {
    expect(target({})).toBeUndefined();
    expect(target({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
  });

  it('appends v1/traces to the generic endpoint over HTTP, with the spec defaults', () => {
    expect(target({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' })).toEqual({
      url: 'http://jaeger:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 10_000,
      compression: 'none',
    });
  });

  // Appended to as text: `http://c:4318?tenant=a` exported to `http://c:4318?tenant=a/v1/traces`.
  it.each(['http://collector:4318?tenant=a', 'http://collector:4318/otlp#x', 'http://c:4318?'])(
    'refuses a query or a fragment in the generic endpoint %j, a base URL',
    (value) => {
      expect(configProblems({ OTEL_EXPORTER_OTLP_ENDPOINT: value })).toContain(
        'OTEL_EXPORTER_OTLP_ENDPOINT: must not carry a query or a fragment: it is a base URL',
      );
    },
  );

  it('takes a query in the traces endpoint, used as is', () => {
    expect(
      target({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://ingest.example.test/v1/traces?t=a' })
        ?.url,
    ).toBe('https://ingest.example.test/v1/traces?t=a');
  });

  it('uses the traces endpoint as-is, over the generic one', () => {
    expect(
      target({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://ingest.example.test/custom/path',
      })?.url,
    ).toBe('https://ingest.example.test/custom/path');
  });

  it('gives gRPC the generic endpoint without a path', () => {
    expect(
      target({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toMatchObject({ url: 'http://jaeger:4317', protocol: 'grpc' });
  });

  it('lets each _TRACES_ variable win over its generic sibling; headers merge', () => {
    expect(
      target({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_HEADERS: 'X-Tenant=acme,Authorization=Basic%20generic',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Bearer%20t0ken%3D',
        OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2500',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
      }),
    ).toEqual({
      url: 'http://collector:4318',
      protocol: 'grpc',
      headers: { 'x-tenant': 'acme', authorization: 'Bearer t0ken=' },
      timeoutMs: 2500,
      compression: 'gzip',
    });
  });

  it('names each bad variable, never echoing header values (they carry API keys)', () => {
    const message = configProblems({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '0',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=s3cret,broken',
      OTEL_EXPORTER_OTLP_HEADERS: 'bad header=x',
    });
    for (const name of [
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
      'OTEL_EXPORTER_OTLP_COMPRESSION',
      'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
    ]) {
      expect(message).toContain(`${name}: `);
    }
    expect(message).toContain('OTEL_EXPORTER_OTLP_TRACES_HEADERS: entry 2 is not key=value');
    expect(message).toContain('OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not key=value');
    expect(message).not.toContain('s3cret');
  });
});
