import { startChild, type Child } from './child-process.js';

/** How the image starts rampart: the telemetry bootstrap preloaded before main. */
export const PRELOAD = ['--import', './dist/bundle/telemetry.bootstrap.js'];

/**
 * A child process with tracing on, exporting to `endpoint` (a test's OTLP receiver) every 50 ms so
 * tests need not wait for the default batch delay. `env` overrides any of these.
 */
export function startTraced(endpoint: string, env: Record<string, string> = {}): Promise<Child> {
  return startChild(
    {
      OTEL_SDK_DISABLED: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'rampart-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      ...env,
    },
    { args: PRELOAD },
  );
}
