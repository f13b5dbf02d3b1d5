// 10,000 simultaneous /hello?delay=2s: the Node form of "one goroutine per request". Reports
// completion time (ideal: a little over 2 s), failures, and rampart's peak RSS.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { throwawayDatabase } from '../lib/database.js';
import { LOAD_CPU, freePort, pinned, startServer } from '../lib/processes.js';
import { rampartArgs } from '../lib/settings.js';

const run$ = promisify(execFile);
const BURST = fileURLToPath(new URL('../lib/burst.js', import.meta.url));

export const name = 'concurrency-10k';
export const description =
  '10,000 simultaneous GET /hello?delay=2s: completion, failures, peak RSS';

export async function run() {
  const count = Number(process.env.BENCH_BURST ?? 10_000);
  const database = await throwawayDatabase('burst');
  const server = await startServer({
    name: 'rampart',
    args: rampartArgs(),
    port: await freePort(),
    env: {
      ADMIN_PORT: String(await freePort()),
      DATABASE_URL: database.url,
      NODE_ENV: 'production',
      OTEL_SDK_DISABLED: 'true',
    },
  });
  try {
    const [cmd, args] = pinned(LOAD_CPU, process.execPath, [
      BURST,
      `${server.url}/hello?delay=2s`,
      String(count),
    ]);
    const { stdout } = await run$(cmd, args, { maxBuffer: 1 << 20, timeout: 120_000 });
    return { ...JSON.parse(stdout), peakRssMb: server.peakRssMb() };
  } finally {
    await server.stop();
    await database.drop();
  }
}
