import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

/** The problem lines for `env`, or undefined when it parses. */
const lines = (env: Record<string, string>) => configProblems(env)?.split('\n').slice(1);

/**
 * OTEL_SERVICE_NAME and SERVICE_VERSION agree with `service.name` and `service.version` in
 * OTEL_RESOURCE_ATTRIBUTES: spans took the attribute's value while /version, /api/info and logs
 * reported the variable's, or its default.
 */
describe("the service's name and version: one value, wherever it is set", () => {
  it('takes them from OTEL_RESOURCE_ATTRIBUTES when only it sets them, decoded', () => {
    const config = loadConfig({
      OTEL_RESOURCE_ATTRIBUTES:
        'team=payments, service.name=payments-api, service.version=2.0.0%2Bb7',
    });
    expect([config.OTEL_SERVICE_NAME, config.SERVICE_VERSION]).toEqual([
      'payments-api',
      '2.0.0+b7',
    ]);
  });

  it('keeps the defaults, and the variables set, where the attributes do not carry them', () => {
    expect(loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'team=payments' })).toMatchObject({
      OTEL_SERVICE_NAME: 'rampart',
      SERVICE_VERSION: '0.1.0',
    });
    expect(
      loadConfig({
        OTEL_SERVICE_NAME: 'payments-api',
        SERVICE_VERSION: '2.0.0',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=payments-api, service.version=2.0.0',
      }),
    ).toMatchObject({ OTEL_SERVICE_NAME: 'payments-api', SERVICE_VERSION: '2.0.0' });
  });

  it.each([
    [
      { SERVICE_VERSION: '1.4.2', OTEL_RESOURCE_ATTRIBUTES: 'service.version=2.0.0' },
      'SERVICE_VERSION: differs from service.version in OTEL_RESOURCE_ATTRIBUTES ("2.0.0"): ' +
        'set one of them, or both alike (got "1.4.2")',
    ],
    // The default's own value, set: set is set.
    [
      { SERVICE_VERSION: '0.1.0', OTEL_RESOURCE_ATTRIBUTES: 'service.version=2.0.0' },
      'SERVICE_VERSION: differs from service.version in OTEL_RESOURCE_ATTRIBUTES ("2.0.0"): ' +
        'set one of them, or both alike (got "0.1.0")',
    ],
    [
      { OTEL_SERVICE_NAME: 'payments', OTEL_RESOURCE_ATTRIBUTES: 'service.name=billing' },
      'OTEL_SERVICE_NAME: differs from service.name in OTEL_RESOURCE_ATTRIBUTES ("billing"): ' +
        'set one of them, or both alike (got "payments")',
    ],
    [
      { OTEL_RESOURCE_ATTRIBUTES: 'service.version=' },
      'OTEL_RESOURCE_ATTRIBUTES: service.version is empty (got "service.version=")',
    ],
  ])('%j: one line naming both', (env, problem) => {
    expect(lines(env)).toEqual([`  ${problem}`]);
  });

  it('a contradiction is listed beside any other problem, once', () => {
    expect(
      lines({
        NODE_ENV: 'prod',
        SERVICE_VERSION: '1.4.2',
        OTEL_SERVICE_NAME: 'payments',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=billing,service.version=2.0.0',
      })?.map((line) => line.trim().split(':')[0]),
    ).toEqual(['NODE_ENV', 'OTEL_SERVICE_NAME', 'SERVICE_VERSION']);
  });

  it('an attribute list the SDK would drop is said as such, not compared', () => {
    expect(
      lines({ SERVICE_VERSION: '1.4.2', OTEL_RESOURCE_ATTRIBUTES: 'service.version=2.0.0,team' }),
    ).toEqual([
      '  OTEL_RESOURCE_ATTRIBUTES: entry 2: expected key=value (percent-encode "," and "=" in keys ' +
        'and values) (got "service.version=2.0.0,team")',
    ]);
  });
});
