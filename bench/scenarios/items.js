// GET /api/items/:id on real PostgreSQL: rampart with the cache off (every request queries),
// a raw Fastify + pg server running the identical query (baseline), and rampart with the cache
// on; plus GET /api/items?limit=100 (a page of 100 items: the answer whose serialization costs
// most). Each rampart target runs twice in the same run: this build, and an earlier revision
// built beside it (BENCH_ITEMS_BASELINE, default 51c0fc3: the bodies still JSON.stringify'd,
// before the answers were serialized from their response schemas), so "before/after" shares a
// machine and a minute. Goal: uncached ≥ 0.85× the raw baseline. Needs PostgreSQL on 127.0.0.1
// (PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/test); a throwaway database is
// created and dropped.
import { baselineBuild } from '../lib/baseline.js';
import { adminQuery as admin, ADMIN_URL } from '../lib/database.js';
import { load, measure } from '../lib/load.js';
import { freePort, startServer } from '../lib/processes.js';
import { rampartArgs, settings } from '../lib/settings.js';

export const name = 'items';
export const description =
  'GET /api/items/:id uncached and cached vs raw Fastify + pg, and a 100-item page, this build vs an earlier one (ratios)';

const BASELINE_REV = process.env.BENCH_ITEMS_BASELINE ?? '51c0fc3';
const PAGE = 100;

export async function run() {
  const database = `rampart_bench_${Date.now()}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new globalThis.URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const env = { DATABASE_URL: url.toString() };
  const before = baselineBuild(BASELINE_REV);
  const results = {};
  try {
    const rampart = (label, dir, extra, path) => ({
      name: label,
      args: rampartArgs({ dir }),
      rampart: true,
      env: extra,
      path,
    });
    const targets = [
      rampart('before-uncached', before, { CACHE_MAX_ITEMS: '0' }, 'item'),
      rampart('rampart-uncached', process.cwd(), { CACHE_MAX_ITEMS: '0' }, 'item'),
      { name: 'raw-fastify-pg', args: ['bench/baseline/items.js'], env: {}, path: 'item' },
      rampart('before-cached', before, {}, 'item'),
      rampart('rampart-cached', process.cwd(), {}, 'item'),
      rampart(`before-page${PAGE}`, before, {}, 'page'),
      rampart(`rampart-page${PAGE}`, process.cwd(), {}, 'page'),
    ];
    const paths = {};
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
        // The first rampart run applied the migrations; it also creates the items read.
        paths.item ??= await seed(server.url);
        paths.page = `/api/items?limit=${PAGE}`;
        const target_url = `${server.url}${paths[target.path]}`;
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
  const rps = (key) => results[key].rps;
  const base = rps('raw-fastify-pg');
  results.ratio = {
    uncached: round(rps('rampart-uncached') / base),
    cached: round(rps('rampart-cached') / base),
  };
  results.vsBefore = {
    uncached: round(rps('rampart-uncached') / rps('before-uncached')),
    cached: round(rps('rampart-cached') / rps('before-cached')),
    [`page${PAGE}`]: round(rps(`rampart-page${PAGE}`) / rps(`before-page${PAGE}`)),
  };
  return results;
}

/** PAGE items; answers the path of the first, the one the single-item targets read. */
async function seed(baseUrl) {
  let first;
  for (let i = 0; i < PAGE; i++) {
    const res = await globalThis.fetch(`${baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `bench item ${i}`,
        description: 'read by every request',
        tags: ['bench', `n${i % 7}`],
      }),
    });
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    first ??= res.headers.get('location');
  }
  return first;
}

const round = (x) => Math.round(x * 100) / 100;
