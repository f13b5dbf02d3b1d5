// /hello throughput: raw Fastify baseline vs rampart, same machine, same run, same load.
import { throwawayDatabase } from '../lib/database.js';
import { load, measure } from '../lib/load.js';
import { freePort, startServer } from '../lib/processes.js';
import { rampartArgs, settings } from '../lib/settings.js';

export const name = 'hello';
export const description =
  'GET /hello: rampart vs raw Fastify, and NestJS alone (requests/s, p50, p99, ratio)';

export async function run() {
  const database = await throwawayDatabase('hello');
  try {
    return await compare(database.url);
  } finally {
    await database.drop();
  }
}

async function compare(databaseUrl) {
  const results = {};
  const targets = [
    { name: 'raw-fastify', args: ['bench/baseline/hello.js'], env: {} },
    // The framework floor: what NestJS itself costs, so rampart's own layers show apart.
    { name: 'nestjs-only', args: ['bench/baseline/nest-hello.js'], env: {} },
    {
      name: 'rampart',
      args: rampartArgs(),
      env: {
        ADMIN_PORT: String(await freePort()),
        DATABASE_URL: databaseUrl,
        NODE_ENV: 'production',
        OTEL_SDK_DISABLED: 'true',
      },
    },
  ];
  for (const target of targets) {
    const server = await startServer({ ...target, port: await freePort() });
    try {
      const url = `${server.url}/hello`;
      await load({ url, connections: settings.connections, durationS: settings.warmupS });
      results[target.name] = {
        ...(await measure(server, {
          url,
          connections: settings.connections,
          durationS: settings.durationS,
        })),
        startupMs: server.startupMs,
        peakRssMb: server.peakRssMb(),
      };
    } finally {
      await server.stop();
    }
  }
  const raw = results['raw-fastify'].rps;
  results.ratio = round(results.rampart.rps / raw);
  results.nestjsRatio = round(results['nestjs-only'].rps / raw);
  // The same comparison by CPU time per request: steadier than requests/s on a shared machine.
  const rawCpu = results['raw-fastify'].cpuUsPerRequest;
  results.cpuRatio = round(rawCpu / results.rampart.cpuUsPerRequest);
  results.nestjsCpuRatio = round(rawCpu / results['nestjs-only'].cpuUsPerRequest);
  return results;
}

const round = (x) => Math.round(x * 100) / 100;
