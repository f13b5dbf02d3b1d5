// /hello with telemetry on (metrics, access log, tracing to a real OTLP/HTTP endpoint) against
// raw Fastify, same run, same load: default 10 % sampling, and 100 % sampling with the span
// pipeline's drop counter read from /metrics afterwards. Start-up = spawn to first 200, against a
// throwaway PostgreSQL database as in production (embedded PGlite takes seconds to open).
import { spawn } from 'node:child_process';
import { throwawayDatabase } from '../lib/database.js';
import { load, measure } from '../lib/load.js';
import { LOAD_CPU, freePort, pinned, startServer } from '../lib/processes.js';
import { rampartArgs, settings } from '../lib/settings.js';

export const name = 'telemetry';
export const description =
  'GET /hello: raw Fastify vs rampart with telemetry off, at 10 % and at 100 % sampling (drops)';

export async function run() {
  const database = await throwawayDatabase('telemetry');
  try {
    return await compare(database.url);
  } finally {
    await database.drop();
  }
}

async function compare(databaseUrl) {
  const sink = await startSink();
  const traced = (ratio) => ({
    OTEL_SDK_DISABLED: 'false',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(ratio),
  });
  const targets = [
    { name: 'raw-fastify', args: ['bench/baseline/hello.js'], env: {} },
    { name: 'rampart-otel-off', args: rampartArgs(), env: { OTEL_SDK_DISABLED: 'true' } },
    { name: 'rampart-10pct', args: rampartArgs(), env: traced(0.1) },
    { name: 'rampart-100pct', args: rampartArgs(), env: traced(1) },
  ];
  const results = {};
  try {
    for (const target of targets) {
      const adminPort = await freePort();
      const server = await startServer({
        ...target,
        env: {
          ...target.env,
          DATABASE_URL: databaseUrl,
          ADMIN_PORT: String(adminPort),
          NODE_ENV: 'production',
        },
        port: await freePort(),
      });
      try {
        const url = `${server.url}/hello`;
        await load({ url, connections: settings.connections, durationS: settings.warmupS });
        const figures = await measure(server, {
          url,
          connections: settings.connections,
          durationS: settings.durationS,
        });
        results[target.name] = { ...figures, startupMs: server.startupMs };
        if (target.name.startsWith('rampart')) {
          Object.assign(results[target.name], await spanCounters(adminPort));
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    sink.stop();
  }
  const raw = results['raw-fastify'].rps;
  const rawCpu = results['raw-fastify'].cpuUsPerRequest;
  for (const key of Object.keys(results)) {
    results[key].ratio = round(results[key].rps / raw);
    // The same comparison by CPU time per request: steadier than requests/s on a shared machine.
    results[key].cpuRatio = round(rawCpu / results[key].cpuUsPerRequest);
  }
  return results;
}

/** Exported and dropped span counts from rampart's own /metrics. */
async function spanCounters(adminPort) {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const value = (pattern) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    spansExported: value('otel_sdk_span_exported_total'),
    spansDropped:
      value('otel_sdk_span_dropped_total\\{reason="queue_full"\\}') +
      value('otel_sdk_span_dropped_total\\{reason="export_failed"\\}'),
  };
}

async function startSink() {
  const port = await freePort();
  const [cmd, args] = pinned(LOAD_CPU, process.execPath, ['bench/lib/otlp-sink.js']);
  const child = spawn(cmd, args, {
    env: { PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

const round = (x) => Math.round(x * 100) / 100;
