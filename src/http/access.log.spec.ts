import { INVALID_SPAN_CONTEXT, trace, type Span } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import type { RequestState } from '../request-context/request-state.js';
import { logger } from '../logging/logger.js';
import { AccessLog } from './access.log.js';

/** The request fields the access log reads, as Fastify fills them. */
function exchange(overrides: { span?: Span; ip?: string } = {}) {
  const request = {
    id: 'req-1',
    method: 'GET',
    ip: 'ip' in overrides ? overrides.ip : '127.0.0.1',
    // A given ip is the hop a trusted proxy (TRUST_PROXY) named, as Fastify lists them.
    ips: 'ip' in overrides ? ['10.0.0.5', overrides.ip] : undefined,
    socket: { remoteAddress: '10.0.0.5' },
    requestState: overrides.span ? ({ span: overrides.span } as RequestState) : null,
  } as FastifyRequest;
  return { request, route: '/hello' };
}

describe('AccessLog', () => {
  const lines: string[] = [];
  const access = new AccessLog('rampart "test"', { write: (line) => lines.push(line) > 0 });
  const lastLine = () => lines.at(-1) ?? '';
  beforeEach(() => (lines.length = 0));

  it('writes one JSON line with the fields a pino child({ module: "http" }) line has', () => {
    const { request, route } = exchange();
    access.write(request, route, 200, 1.23456, false);
    expect(lines).toHaveLength(1);
    expect(lastLine().endsWith('}\n')).toBe(true);
    expect(JSON.parse(lastLine())).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      pid: process.pid,
      service: 'rampart "test"',
      module: 'http',
      reqId: 'req-1',
      method: 'GET',
      route: '/hello',
      status: 200,
      clientAddress: '127.0.0.1',
      durationMs: 1.23,
      msg: 'request',
    });
  });

  it('escapes a route template that needs it', () => {
    const { request } = exchange();
    access.write(request, '/odd/"quoted"\\path\n', 200, 1, false);
    expect((JSON.parse(lastLine()) as { route: string }).route).toBe('/odd/"quoted"\\path\n');
  });

  it('carries the client address TRUST_PROXY resolved, an address or none if unknown', () => {
    access.write(exchange({ ip: '2001:db8::1' }).request, '/hello', 200, 1, false);
    expect(JSON.parse(lastLine())).toMatchObject({ clientAddress: '2001:db8::1' });
    // A forwarded hop that is not an address is not written: the peer's address is.
    access.write(exchange({ ip: 'a"b\\c' }).request, '/hello', 200, 1, false);
    expect(JSON.parse(lastLine())).toMatchObject({ clientAddress: '10.0.0.5' });
    access.write(exchange({ ip: undefined }).request, '/hello', 200, 1, false);
    expect(JSON.parse(lastLine())).not.toHaveProperty('clientAddress');
  });

  it("carries the request span's trace_id and span_id", () => {
    const spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
    const span = { spanContext: () => spanContext } as Span;
    const { request, route } = exchange({ span });
    access.write(request, route, 200, 1.23456, false);
    expect(JSON.parse(lastLine())).toMatchObject({
      trace_id: spanContext.traceId,
      span_id: 'b'.repeat(16),
    });
  });

  it("leaves the ids out for a span with the API's all-zero ones, and only for it", () => {
    const { request, route } = exchange({ span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT) });
    access.write(request, route, 200, 1, false);
    expect(JSON.parse(lastLine())).not.toHaveProperty('trace_id');
    // A span id that merely starts with zeros is a span id.
    const spanId = `${'0'.repeat(15)}1`;
    const withZeros = { traceId: 'a'.repeat(32), spanId, traceFlags: 0 };
    access.write(
      exchange({ span: trace.wrapSpanContext(withZeros) }).request,
      route,
      200,
      1,
      false,
    );
    expect(JSON.parse(lastLine())).toMatchObject({ span_id: spanId });
  });

  it('writes quiet (probe) lines only when LOG_LEVEL is debug', () => {
    const { request, route } = exchange();
    const level = logger.level;
    try {
      logger.level = 'info';
      access.write(request, route, 200, 1, true);
      expect(lines).toHaveLength(0);
      logger.level = 'debug';
      access.write(request, route, 200, 1, true);
      expect(JSON.parse(lastLine())).toMatchObject({ level: 'debug' });
    } finally {
      logger.level = level;
    }
  });
});
