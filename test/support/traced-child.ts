import { OtlpReceiver } from './otlp-receiver.js';
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

/** A traced child and the OTLP receiver it exports to, started and stopped together. */
export interface TracedChild {
  receiver: OtlpReceiver;
  child: Child;
  /** The child's public port, for raw-socket requests. */
  port: number;
  stop(): Promise<void>;
}

/** Starts a receiver, then a traced child exporting to it (`env` as for startTraced). */
export async function startTracedWithReceiver(
  env: Record<string, string> = {},
): Promise<TracedChild> {
  const receiver = new OtlpReceiver();
  const child = await startTraced(await receiver.start(), env);
  return {
    receiver,
    child,
    port: Number(new URL(child.baseUrl).port),
    async stop() {
      if (child.process.exitCode === null) child.process.kill('SIGTERM');
      await child.exited;
      await receiver.close();
    },
  };
}
