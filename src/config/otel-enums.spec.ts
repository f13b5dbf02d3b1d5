import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

/**
 * The OpenTelemetry environment variable specification: enum values SHOULD be read
 * case-insensitively, and a boolean is true for the case-insensitive string `true`. Each was
 * matched as written, so `OTEL_TRACES_SAMPLER=ALWAYS_ON` stopped start-up.
 */
describe('OpenTelemetry enum values are read in any case', () => {
  it.each([
    ['OTEL_TRACES_SAMPLER', 'Always_On', 'always_on'],
    ['OTEL_TRACES_SAMPLER', 'ParentBased_TraceIdRatio', 'parentbased_traceidratio'],
    ['OTEL_TRACES_SAMPLER', 'ALWAYS_OFF', 'always_off'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'GRPC', 'grpc'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'HTTP/Protobuf', 'http/protobuf'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'Http/Json', 'http/json'],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'GZIP', 'gzip'],
    ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'None', 'none'],
    ['OTEL_SDK_DISABLED', 'TRUE', true],
    ['OTEL_SDK_DISABLED', 'False', false],
  ])('%s=%j is taken, as %j', (name, value, read) => {
    expect((loadConfig({ [name]: value }) as Record<string, unknown>)[name]).toBe(read);
  });

  it.each([
    ['OTEL_TRACES_SAMPLER', 'always-on'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http'],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'zip'],
    ['OTEL_SDK_DISABLED', 'yes'],
  ])('%s=%j, no spelling of a value, is still refused naming it', (name, value) => {
    expect(configProblems({ [name]: value })).toContain(`${name}:`);
  });

  // Not OpenTelemetry's: rampart's own enums stay as documented (the chart's enums match them).
  it.each([
    ['NODE_ENV', 'Production'],
    ['LOG_LEVEL', 'INFO'],
  ])('%s=%j, a rampart enum, is matched as written', (name, value) => {
    expect(configProblems({ [name]: value })).toContain(`${name}:`);
  });
});
