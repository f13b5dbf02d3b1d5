import { Writable } from 'node:stream';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  globalErrorHandler,
  setGlobalErrorHandler,
  loggingErrorHandler,
} from '@opentelemetry/core';
import pino from 'pino';
import { currentRequest, runInRequest } from '../request-context/context.store.js';
import { diagLogger, sdkErrorHandler } from './diag.logger.js';

/** A pino logger at debug whose lines land in the returned list, parsed. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string; reqId?: string; err?: { message: string } }> =
    [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  // The request's id as rampart's own mixin adds it (logging/logger.ts), from the one store.
  const mixin = () => ({ reqId: currentRequest()?.requestId });
  return { log: pino({ level: 'debug', mixin }, stream), lines };
}

const DEBUG = 20;
const ERROR = 50;

describe("OpenTelemetry's diagnostics in rampart's log", () => {
  afterEach(() => diag.disable());

  it('a span ended twice (a late ioredis reply after its command timed out) is logged at debug, not error', () => {
    const { log, lines } = recordingLogger();
    diag.setLogger(diagLogger(log), DiagLogLevel.WARN);
    const span = new TracerProvider({ sampler: new AlwaysOnSampler() })
      .getTracer('diag-logger-spec')
      .startSpan('set');
    span.end();
    span.end(); // what the instrumentation's wrapped resolve does when the reply comes late
    const endedTwice = lines.filter((line) =>
      line.msg.endsWith('You can only call end() on a span once.'),
    );
    expect(endedTwice.map((line) => line.level)).toEqual([DEBUG]);
    expect(lines.filter((line) => line.level >= ERROR)).toEqual([]);
  });

  it('any other SDK error stays at error level', () => {
    const { log, lines } = recordingLogger();
    diag.setLogger(diagLogger(log), DiagLogLevel.WARN);
    diag.error('OTLPExporterError: export failed');
    expect(lines).toEqual([
      expect.objectContaining({ level: ERROR, msg: 'OTLPExporterError: export failed' }),
    ]);
  });

  it('lines are written outside any request, though the SDK ran its work inside one', () => {
    const { log, lines } = recordingLogger();
    diag.setLogger(diagLogger(log), DiagLogLevel.WARN);
    const request = {
      requestId: 'req-7',
      deadline: Date.now() + 1_000,
      signal: new AbortController().signal,
      startedAt: Date.now(),
    };
    runInRequest(request, () => {
      expect(currentRequest()?.requestId).toBe('req-7');
      diag.error('OTLPExporterError: export failed');
      diag.warn('slow export');
    });
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => line.reqId)).toEqual([undefined, undefined]);
  });

  it("the SDK's errors are one error line with the error as err, outside any request", () => {
    const { log, lines } = recordingLogger();
    setGlobalErrorHandler(sdkErrorHandler(log));
    try {
      const request = {
        requestId: 'req-8',
        deadline: Date.now() + 1_000,
        signal: new AbortController().signal,
        startedAt: Date.now(),
      };
      runInRequest(request, () => globalErrorHandler(new Error('export failed: 503')));
    } finally {
      setGlobalErrorHandler(loggingErrorHandler());
    }
    expect(lines).toEqual([
      expect.objectContaining({
        level: ERROR,
        msg: 'telemetry error',
        err: expect.objectContaining({ message: 'export failed: 503' }),
      }),
    ]);
    expect(lines[0]?.reqId).toBeUndefined();
  });
});
