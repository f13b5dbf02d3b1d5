// Preloaded ahead of main (`node --import ./dist/bundle/telemetry.bootstrap.js dist/bundle/main.js`,
// package.json "start" and the Dockerfile; scripts/bundle.mjs builds both from tsc's dist/): the
// tracer provider and the pg/ioredis patches must be in place before those modules are first
// loaded. No Nest imports here (STYLE.md §2); the Nest side reaches the SDK only through the
// global handle (telemetry.handle.ts).
// First: SIGTERM and SIGINT are held from here on, not Node's default exit (src/early-signals.ts).
import '../early-signals.js';
import { enableCompileCache } from 'node:module';
import { StackTraceMapper } from './stack-trace.mapper.js';

// Stack traces (logs, problem details in development) point at the .ts sources of rampart's own
// code, through maps read on the first stack formatted, not as each chunk loads
// (stack-trace.mapper.ts says what Node's own support cost). Not `--enable-source-maps`, which
// also reads the map of every node_modules file loaded.
new StackTraceMapper(new URL('./stack-maps.json', import.meta.url)).install();

// V8's compiled code for every module loaded from here on is kept on disk (NODE_COMPILE_CACHE,
// else <tmpdir>/node-compile-cache) and reused by the next start: ~50 ms of a ~0.5 s start-up is
// compiling the bundle's chunks and the packages left outside it (docs/performance.md). Best
// effort: a read-only or missing directory only means no cache. Hence everything below is
// imported dynamically, after this line.
enableCompileCache();

const { loadConfig } = await import('../config/config.loader.js');
const { TELEMETRY_HANDLE } = await import('./telemetry.handle.js');

// The configuration exactly as main.ts reads it (an empty value is unset): parsed here any
// other way, `PORT=` failed the parse and tracing silently never started. An invalid
// environment is main.ts's to report (it names every bad variable and exits 78); the bootstrap
// only stays out of the way.
let config;
try {
  config = loadConfig();
} catch {
  config = undefined;
}

if (config !== undefined && !config.OTEL_SDK_DISABLED) {
  // Loaded only when enabled: the OpenTelemetry packages cost ~0.1 s of start-up.
  const { TelemetrySdk } = await import('./telemetry.sdk.js');
  const { createSpanExporter } = await import('./telemetry.exporter.js');
  const sdk = new TelemetrySdk();
  sdk.start(config, createSpanExporter(config));
  (globalThis as Record<symbol, unknown>)[TELEMETRY_HANDLE] = sdk;
}
