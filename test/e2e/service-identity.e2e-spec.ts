import { startChild } from '../support/child-process.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { startTraced } from '../support/traced-child.js';

/**
 * The service's name and version are one value for every reader: spans took `service.name` and
 * `service.version` from OTEL_RESOURCE_ATTRIBUTES (the SDK's detector put them on top) while
 * /version and the logs said `rampart` and `0.1.0`, the defaults.
 */
describe("OTEL_RESOURCE_ATTRIBUTES' service.name and service.version (real child, real exporter)", () => {
  it('set there alone, they are what /version, the spans and the logs report', async () => {
    const receiver = new OtlpReceiver();
    const child = await startTraced(await receiver.start(), {
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_SERVICE_NAME: '', // unset: startTraced names the service otherwise
      OTEL_RESOURCE_ATTRIBUTES: 'team=payments,service.name=payments-api,service.version=2.0.0',
    });
    try {
      const version = (await (await fetch(`${child.baseUrl}/version`)).json()) as {
        service: string;
        version: string;
      };
      expect({ service: version.service, version: version.version }).toEqual({
        service: 'payments-api',
        version: '2.0.0',
      });
      await receiver.waitFor((spans) => spans.some((s) => s.name === 'GET /version'));
      const span = receiver.spans.find((s) => s.name === 'GET /version');
      expect(span?.resource).toMatchObject({
        'service.name': 'payments-api',
        'service.version': '2.0.0',
        team: 'payments',
      });
      const ready = child
        .output()
        .split('\n')
        .find((line) => line.includes('rampart is ready'));
      expect(JSON.parse(ready ?? '{}')).toMatchObject({ service: 'payments-api' });
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
      await receiver.close();
    }
  });

  it('set there and in SERVICE_VERSION, differently, stops start-up naming both (exit 78)', async () => {
    const child = await startChild(
      { SERVICE_VERSION: '1.4.2', OTEL_RESOURCE_ATTRIBUTES: 'service.version=2.0.0' },
      { waitReady: false },
    );
    // Before, it started: stopped here, or the suite would wait on it.
    const started = await child.ready.then(
      () => true,
      () => false,
    );
    if (started) child.process.kill('SIGTERM');
    expect({ started, code: await child.exited }).toEqual({ started: false, code: 78 });
    expect(child.output()).toContain(
      'SERVICE_VERSION: differs from service.version in OTEL_RESOURCE_ATTRIBUTES ("2.0.0"): ' +
        'set one of them, or both alike (got "1.4.2")',
    );
  });
});
