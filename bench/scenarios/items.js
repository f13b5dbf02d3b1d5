// GET /api/items/:id on real PostgreSQL: rampart with the cache off (every request queries),
// a raw Fastify + pg server running the identical query (baseline), and rampart with the cache
// on. Goal: uncached ≥ 0.85× the baseline. Needs PostgreSQL on 127.0.0.1 (PG_ADMIN_URL, default
// postgres://postgres@127.0.0.1:5432/test); a throwaway database is created and dropped.
import { adminQuery as admin, ADMIN_URL } from '../lib/database.js';
import { load, measure } from '../lib/load.js';
import { freePort, startServer } from '../lib/processes.js';
import { rampartArgs, settings } from '../lib/settings.js';

export const name = 'items';
export const description =
  'GET /api/items/:id: rampart uncached and cached vs raw Fastify + pg, identical query (ratio)';

export async function run() {
  const database = `rampart_bench_${Date.now()}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new globalThis.URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const env = { DATABASE_URL: url.toString() };
  const results = {};
  try {
    const targets = [
      {
        name: 'rampart-uncached',
        args: rampartArgs(),
        rampart: true,
        env: { CACHE_MAX_ITEMS: '0' },
      },
      { name: 'raw-fastify-pg', args: ['bench/baseline/items.js'], rampart: false, env: {} },
      { name: 'rampart-cached', args: rampartArgs(), rampart: true, env: {} },
    ];
    let path;
    for (const target of targets) {
      const server = await startServer({
        name: target.name,
        args: target.args,
        port: await freePort(),
        readyPath: target.rampart ? '/startupz' : '/healthz',
        env: {
          ...env,
          ...target.env,
          ...(target.rampart && {
            NODE_ENV: 'production',
            ADMIN_PORT: String(await freePort()),
            OTEL_SDK_DISABLED: 'true',
            ACCESS_LOG_ENABLED: 'false',
          }),
        },
      });
      try {
        // The first rampart run applied the migrations; it also creates the one item read.
        path ??= await seed(server.url);
        const target_url = `${server.url}${path}`;
        await load({
          url: target_url,
          connections: settings.connections,
          durationS: settings.warmupS,
        });
        results[target.name] = {
          ...(await measure(server, {
            url: target_url,
            connections: settings.connections,
            durationS: settings.durationS,
          })),
          peakRssMb: server.peakRssMb(),
        };
      } finally {
        await server.stop();
      }
    }
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  const base = results['raw-fastify-pg'].rps;
  results.ratio = {
    uncached: round(results['rampart-uncached'].rps / base),
    cached: round(results['rampart-cached'].rps / base),
  };
  return results;
}

async function seed(baseUrl) {
  const res = await globalThis.fetch(`${baseUrl}/api/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench item',
      description: 'read by every request',
      tags: ['bench'],
    }),
  });
  if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  return res.headers.get('location');
}

const round = (x) => Math.round(x * 100) / 100;
