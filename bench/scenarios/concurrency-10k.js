// 10,000 simultaneous GET /hello?delay=2s: the Node form of "one goroutine per request". rampart
// and the raw Fastify baseline (bench/baseline/hello.js) in one run, one after the other on the
// same pinned core: completion time (ideal: a little over 2 s), answers, and memory — RSS at
// rest, peak RSS over the burst (VmHWM, the kernel's high-water mark, so no sample is missed),
// RSS once it is over. rampart runs twice: with the V8 flags its Deployment sets, and under
// Node's defaults like the baseline. Goal: rampart's peak ≤ 1.3× raw Fastify's.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { throwawayDatabase } from '../lib/database.js';
import { LOAD_CPU, freePort, pinned, startServer } from '../lib/processes.js';
import { rampartArgs } from '../lib/settings.js';

const run$ = promisify(execFile);
const BURST = fileURLToPath(new URL('../lib/burst.js', import.meta.url));

export const name = 'concurrency-10k';
export const description =
  '10,000 simultaneous GET /hello?delay=2s, rampart and raw Fastify: answers, wall time, RSS';

// The V8 flags k8s/base/deployment.yaml gives the container (NODE_OPTIONS); keep them equal.
const DEPLOYED_NODE_OPTIONS = '--max-old-space-size=384 --max-semi-space-size=16';
// The V8 flag the image's ENTRYPOINT adds (Node refuses it in NODE_OPTIONS); keep them equal.
const DEPLOYED_NODE_ARGS = ['--no-allocation-site-pretenuring'];

export async function run() {
  const count = Number(process.env.BENCH_BURST ?? 10_000);
  const database = await throwawayDatabase('burst');
  const rampart = async (nodeOptions, v8Args = []) =>
    measure(
      {
        name: 'rampart',
        // V8 flags from nodeOptions and v8Args only: the two runs differ in them and nothing else.
        args: [...v8Args, ...rampartArgs({ startFlags: false })],
        env: {
          ADMIN_PORT: String(await freePort()),
          DATABASE_URL: database.url,
          NODE_ENV: 'production',
          OTEL_SDK_DISABLED: 'true',
          // What is measured is the memory each admitted request costs, so every one of the
          // 10,000 is admitted, as the baseline admits them: no connection cap, no adaptive
          // limit (as deployed, both would refuse most of this burst on purpose).
          HTTP_MAX_CONNECTIONS: '0',
          ADMISSION_ENABLED: 'false',
          // Node's default, as the baseline runs. A connection's header clock starts at accept,
          // so on a loaded machine a burst this size queued in our own loop for 10 s answered 408.
          HTTP_HEADERS_TIMEOUT_MS: '60000',
          NODE_OPTIONS: nodeOptions,
          ...memoryEnv(),
        },
      },
      '/hello?delay=2s',
      count,
    );
  try {
    const deployed = await rampart(DEPLOYED_NODE_OPTIONS, DEPLOYED_NODE_ARGS);
    // The same code under Node's defaults, as the baseline runs: what the code alone costs.
    const nodeDefaults = await rampart('');
    const fastify = await measure(
      { name: 'fastify', args: ['bench/baseline/hello.js'], env: memoryEnv() },
      '/hello?delay=2000',
      count,
    );
    return {
      rampart: deployed,
      rampartNodeDefaults: nodeDefaults,
      fastify,
      peakRssRatio: round(deployed.peakRssMb / fastify.peakRssMb),
      peakRssRatioNodeDefaults: round(nodeDefaults.peakRssMb / fastify.peakRssMb),
      wallTimeRatio: round(deployed.elapsedMs / fastify.elapsedMs),
    };
  } finally {
    await database.drop();
  }
}

/** Allocator settings under test (BENCH_MALLOC_ARENA_MAX), applied to both servers alike. */
function memoryEnv() {
  const arenas = process.env.BENCH_MALLOC_ARENA_MAX;
  return arenas ? { MALLOC_ARENA_MAX: arenas } : {};
}

async function measure(spec, path, count) {
  const server = await startServer({ ...spec, port: await freePort() });
  try {
    // Let start-up garbage settle so "at rest" is the steady figure, not the boot peak.
    await new Promise((r) => setTimeout(r, 1_000));
    const restRssMb = rssMb(server.child.pid);
    const [cmd, args] = pinned(LOAD_CPU, process.execPath, [
      BURST,
      server.url + path,
      String(count),
    ]);
    const { stdout } = await run$(cmd, args, { maxBuffer: 1 << 20, timeout: 120_000 });
    const burst = JSON.parse(stdout);
    await new Promise((r) => setTimeout(r, 2_000));
    return {
      ok: burst.ok,
      failed: burst.failed,
      // Status codes, and error codes for requests that got no answer (ECONNRESET, timeout).
      outcomes: burst.statuses,
      elapsedMs: burst.elapsedMs,
      restRssMb,
      peakRssMb: server.peakRssMb(),
      afterRssMb: rssMb(server.child.pid),
    };
  } finally {
    await server.stop();
  }
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

const round = (x) => Math.round(x * 100) / 100;
