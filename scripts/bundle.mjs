// Bundles the compiled service (dist/) into dist/bundle/, what `npm start` and the image run:
//   node scripts/bundle.mjs        (`npm run build` runs it after tsc)
// Why: a start loads ~1,000 modules (rxjs alone 226, undici 109, ajv 88), and resolving,
// reading and linking them one file at a time was most of start-up. One module graph of a few
// chunks starts faster (docs/performance.md, "Start-up": to the first answer, PostgreSQL,
// telemetry on, median ~1.0 s -> ~0.7 s). tsc's per-file dist/ stays: the bundle is built from it,
// and the embedded database's template script runs from it.
//
// Two entries share their chunks (splitting), so the telemetry bootstrap and main see one copy
// of every module: one context store, one logger, one OpenTelemetry API. Four more are for the
// probe thread (src/health/probe.worker.ts), which imports errors/lingering-close.js,
// errors/target-form.js, errors/client-text.js and protocol/request-target.js into a module graph
// of its own: dist/bundle/lingering-close.js, target-form.js, client-text.js and
// request-target.js, beside the chunks main shares them from.
// Chunks sit directly in dist/bundle/, one folder below dist/ as tsc's output does, so
// `new URL('../build-info.json', import.meta.url)` and the like resolve the same from both.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asciiComments } from './bundle-ascii.mjs';
import { builtinsViaRequire } from './bundle-builtins.mjs';
import { unwrapInferredNames } from './bundle-names.mjs';
import { ownCodeMap } from './bundle-stack-maps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Left to Node's loader at run time, each for its reason. Everything else is bundled, pino
 * included: its transports start a worker thread from a file beside pino's own (thread-stream),
 * which the bundle does not have. rampart uses none (src/logging writes stdout itself); add pino
 * here before adding one.
 */
const EXTERNAL = [
  // Patched by the OpenTelemetry instrumentations through the `require` hook: they must load
  // as files from node_modules after the bootstrap installed it.
  'pg',
  'pg-pool',
  'ioredis',
  // A native addon.
  '@datadog/pprof',
  // Reads its WebAssembly and data files next to its own modules.
  '@electric-sql/pglite',
  // Only for OTEL_EXPORTER_OTLP_PROTOCOL=grpc, imported then; loads .proto files at run time.
  '@grpc/grpc-js',
  // Optional packages NestJS and Fastify import only when an application uses them; rampart
  // does not, and they are not installed.
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets/*',
  '@nestjs/platform-express',
  '@fastify/multipart',
  '@fastify/static',
  '@fastify/view',
  'class-transformer',
  'class-validator',
];

// No chunk of an earlier build may linger: chunk names carry content hashes.
rmSync(join(root, 'dist', 'bundle'), { recursive: true, force: true });

// esbuild's keepNames helper, as emitted, and the same with a check first. keepNames wraps every
// named function and class, closures a request creates included; defining `name` on each of those
// cost ~6-7 us of CPU per GET /hello (wrk, server pinned, 4 interleaved rounds: 33.5 us with the
// helper as emitted, 27.1 us without keepNames). A named function's name already matches and the
// check skips the define (bench/micro/keep-names.bench.mjs: 285 -> 29 ns per closure). An arrow
// the helper wraps has no name of its own, so the check cannot skip it (358 -> 263 ns): where the
// language names it anyway, scripts/bundle-names.mjs removes the wrapper (the helper's 'no
// helper' row; callgrind, GET /hello, tracing off: 130.1k -> 126.2k instructions per request).
const NAME_HELPER =
  'var __name = (target, value) => __defProp(target, "name", { value, configurable: true });';
const NAME_HELPER_CHECKED =
  'var __name = (target, value) => target.name === value ? target : ' +
  '__defProp(target, "name", { value, configurable: true });';

const { outputFiles } = await build({
  absWorkingDir: root,
  entryPoints: [
    'dist/main.js',
    'dist/telemetry/telemetry.bootstrap.js',
    'dist/errors/lingering-close.js',
    'dist/errors/target-form.js',
    'dist/errors/client-text.js',
    'dist/protocol/request-target.js',
  ],
  outdir: 'dist/bundle',
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external: EXTERNAL,
  // node:http as an ES import costs ~45 ms of start-up (scripts/bundle-builtins.mjs says why).
  plugins: [builtinsViaRequire],
  // CommonJS packages inside an ES module bundle still call `require` (Node built-ins, the
  // externals above, NestJS's optional packages).
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  // Maps chain through tsc's maps to src/*.ts; without sources' text, which stack traces and
  // pprof do not need, the maps are a fraction of the size to read at start.
  sourcemap: true,
  sourcesContent: false,
  // Class and function names stay as written. tsc's decorated classes (`let X = class X`, in
  // rampart and in NestJS) would otherwise be renamed X2, which Nest's messages and logs show.
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});

let helpers = 0;
let unwrappedTotal = 0;
const bundleDir = join(root, 'dist', 'bundle');
/** Per chunk, the map of rampart's own code in it (scripts/bundle-stack-maps.mjs says why). */
const stackMaps = {};
for (const file of outputFiles) {
  let text = file.text;
  if (file.path.endsWith('.js.map')) {
    const own = ownCodeMap(bundleDir, join(root, 'src'), JSON.parse(text));
    if (own) stackMaps[basename(file.path, '.map')] = own;
  }
  if (file.path.endsWith('.js')) {
    const { text: unwrapped, unwrapped: count } = unwrapInferredNames(text);
    text = asciiComments(unwrapped).text;
    unwrappedTotal += count;
  }
  if (text.includes(NAME_HELPER)) {
    text = text.replace(NAME_HELPER, NAME_HELPER_CHECKED);
    helpers += 1;
  }
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, text);
}
writeFileSync(join(bundleDir, 'stack-maps.json'), JSON.stringify(stackMaps));
// The helper's text is esbuild's: if an upgrade changes it, say so rather than ship it slow.
if (helpers !== 1) {
  throw new Error(`expected esbuild's __name helper once in the bundle, found it ${helpers} times`);
}
// None unwrapped means the wrapper's shape changed (an esbuild upgrade): say so, as above.
if (unwrappedTotal === 0)
  throw new Error('no keepNames wrapper was unwrapped: check scripts/bundle-names.mjs');
