import { Writable } from 'node:stream';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { diagLogger } from './diag.logger.js';

/** A pino logger at debug whose lines land in the returned list, parsed. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
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
});
