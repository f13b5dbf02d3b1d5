import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

const problemWith = (value: string): string | undefined =>
  configProblems({ OTEL_PROPAGATORS: value });

describe('OTEL_PROPAGATORS', () => {
  it('defaults to tracecontext,baggage as the OpenTelemetry specification says', () => {
    expect(loadConfig({}).OTEL_PROPAGATORS).toEqual(['tracecontext', 'baggage']);
  });

  it('reads a list in order, case-insensitive, trimmed, duplicates dropped', () => {
    expect(
      loadConfig({ OTEL_PROPAGATORS: ' B3multi, tracecontext,b3 ,jaeger,b3multi' })
        .OTEL_PROPAGATORS,
    ).toEqual(['b3multi', 'tracecontext', 'b3', 'jaeger']);
  });

  it('none turns propagation off', () => {
    expect(loadConfig({ OTEL_PROPAGATORS: 'none' }).OTEL_PROPAGATORS).toEqual([]);
  });

  it.each([
    ['tracecontext,zipkin', 'unknown propagator "zipkin"'],
    ['xray', 'unknown propagator "xray"'],
    ['tracecontext,,b3', 'entry 2 is empty'],
    ['tracecontext,', 'entry 2 is empty'],
    ['none,b3', 'none cannot be combined'],
  ])('refuses %j naming the variable', (value, message) => {
    const problem = problemWith(value);
    expect(problem).toContain('OTEL_PROPAGATORS: ');
    expect(problem).toContain(message);
  });
});
