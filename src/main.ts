// First, before the bundle's weight: signals from here on are held (early-signals.ts).
import './early-signals.js';
import { startApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.loader.js';
import { runtimeProblems } from './config/runtime.check.js';
import { ShutdownService } from './lifecycle/shutdown.service.js';
import { StartupSignals } from './lifecycle/startup-signals.js';
import { configureLogger, flushLogger, logger } from './logging/logger.js';

/** Entry point: parse config (or exit naming every bad variable), start, hand over shutdown. */
async function main(): Promise<void> {
  // The runtime first: an unsupported one would run and read some input wrongly.
  const unsupported = runtimeProblems();
  if (unsupported.length > 0) stopOnConfigError(new ConfigError(unsupported));
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    stopOnConfigError(error);
    throw error;
  }
  configureLogger({ level: config.LOG_LEVEL, service: config.OTEL_SERVICE_NAME });

  // A request must never take the process down: log rejections nobody awaited and carry on.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });

  // Held until ShutdownService owns the signals: the public port listens before start-up ends.
  const startupSignals = new StartupSignals(config.SHUTDOWN_TIMEOUT_MS);
  // A signal held meanwhile stops a start-up migration still at work (app.factory.ts).
  const started = startApp(config, { stopping: startupSignals.stopping });
  // A port taken or a host not here is the settings' fault too (config/listen.error.ts).
  const { app, port, adminPort, probePort } = await started.catch((error: unknown) => {
    stopOnConfigError(error);
    throw error;
  });
  const shutdown = app.get(ShutdownService);
  shutdown.install(app);
  // Programming errors leave the process in an unknown state: drain and exit non-zero.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: shutting down');
    void shutdown.shutdown('uncaughtException', 1);
  });
  logger.info(
    // performance.now() counts from process start (timeOrigin): module loading included.
    { port, adminPort, probePort, startupMs: Math.round(performance.now()) },
    'rampart is ready',
  );
  const held = startupSignals.release();
  if (held !== undefined) void shutdown.shutdown(held.signal, 0, held.at);
}

/** Exits 78 (EX_CONFIG) with the message naming each bad variable, if `error` is one. */
function stopOnConfigError(error: unknown): void {
  if (!(error instanceof ConfigError)) return;
  logger.fatal({ problems: error.problems }, error.message);
  process.stderr.write(`${error.message}\n`);
  flushLogger();
  process.exit(78);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'start-up failed');
  flushLogger();
  process.exit(1);
});
