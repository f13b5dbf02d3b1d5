// GET /api/fanout through the upstream policies: against a healthy backend, and with the
// circuit breaker open on a dead backend (connection refused) and on a stalled one (never
// answers). Goal: breaker-open p99 ≤ 5 ms. Fewer connections than the other scenarios
// (BENCH_FANOUT_CONNECTIONS, 10): at saturation latency is connections / throughput (Little's
// law) whatever the code does; the fail-fast path's own latency is what is measured here.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { load } from '../lib/load.js';
import { freePort, startServer } from '../lib/processes.js';
import { rampartArgs, settings } from '../lib/settings.js';

export const name = 'fanout';
export const description =
  'GET /api/fanout: healthy backend vs breaker open on a dead and on a stalled backend (p99)';

const connections = Number(process.env.BENCH_FANOUT_CONNECTIONS ?? 10);

export async function run() {
  // Healthy: the raw Fastify baseline as backend, not pinned (pinned beside the load generator
  // it starves and times out; beside rampart it steals the measured core). Stalled: a socket
  // that accepts and never answers, in this (idle) runner.
  const healthyPort = await freePort();
  const healthy = await startBackend(healthyPort);
  const stalled = createServer(() => undefined);
  await new Promise((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  const targets = [
    // Reference: the cheapest route, same process settings and load — the floor for the others.
    { name: 'hello-reference', backend: '', path: '/', env: {}, route: '/hello' },
    { name: 'healthy', backend: `http://127.0.0.1:${healthyPort}`, path: '/hello', env: {} },
    {
      name: 'dead-breaker-open',
      backend: `http://127.0.0.1:${await freePort()}`, // refused: nothing listens
      path: '/',
      env: {},
    },
    {
      name: 'stalled-breaker-open',
      backend: `http://127.0.0.1:${stalled.address().port}`,
      path: '/',
      // Opens the breaker after 5 timeouts of 500 ms, inside the warm-up.
      env: { UPSTREAM_TIMEOUT_MS: '500' },
    },
  ];
  const results = {};
  try {
    for (const target of targets) {
      const adminPort = await freePort();
      const server = await startServer({
        name: `rampart-${target.name}`,
        args: rampartArgs(),
        port: await freePort(),
        readyPath: '/startupz',
        env: {
          NODE_ENV: 'production',
          ADMIN_PORT: String(adminPort),
          OTEL_SDK_DISABLED: 'true',
          ACCESS_LOG_ENABLED: 'false',
          BACKEND_URLS: target.backend,
          UPSTREAM_PATH: target.path,
          ...target.env,
        },
      });
      try {
        // startServer gives up waiting after 6 s; the embedded database can take longer to open.
        await waitFor(`${server.url}/startupz`);
        const url = `${server.url}${target.route ?? '/api/fanout'}`;
        await load({ url, connections, durationS: settings.warmupS });
        const before = await outcomes(adminPort);
        const figures = await load({ url, connections, durationS: settings.durationS });
        const after = await outcomes(adminPort);
        const calls = {};
        for (const [k, v] of Object.entries(after)) calls[k] = v - (before[k] ?? 0);
        results[target.name] = { ...figures, connections, upstreamOutcomes: calls };
      } finally {
        await server.stop();
      }
    }
  } finally {
    healthy.kill('SIGTERM');
    stalled.closeAllConnections();
    stalled.close();
  }
  return results;
}

/** upstream_calls_total by outcome, from rampart's /metrics. */
async function outcomes(adminPort) {
  const text = await (await globalThis.fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const counts = {};
  for (const m of text.matchAll(/^upstream_calls_total\{[^}]*outcome="(\w+)"\} (\d+)/gm)) {
    counts[m[1]] = (counts[m[1]] ?? 0) + Number(m[2]);
  }
  return counts;
}

async function waitFor(url, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await globalThis.fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms`);
}

async function startBackend(port) {
  const child = spawn(process.execPath, ['bench/baseline/hello.js'], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    await waitFor(`http://127.0.0.1:${port}/hello`, 10_000);
    return child;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
