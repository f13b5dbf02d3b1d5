// The raw Fastify + pg baseline for POST /api/counters/:name/increment: the identical upsert,
// one statement per request, a pool of the same size (DB_POOL_MAX, 10), the same JSON — what a
// handler written without write combining does. Creates rampart's counters table itself (same
// DDL as migration 1) so it can run on a fresh database of its own.
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const SQL = `INSERT INTO counters (name, value) VALUES ($1, $2)
  ON CONFLICT (name) DO UPDATE SET value = counters.value + EXCLUDED.value, updated_at = now()
  RETURNING value::text AS value`;
await pool.query(`CREATE TABLE IF NOT EXISTS counters (
  name        text PRIMARY KEY,
  value       bigint NOT NULL DEFAULT 0
              CHECK (value BETWEEN -9007199254740991 AND 9007199254740991),
  updated_at  timestamptz NOT NULL DEFAULT now()
)`);
const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/api/counters/:name', async (request) => {
  const { rows } = await pool.query('SELECT value::text AS value FROM counters WHERE name = $1', [
    request.params.name,
  ]);
  return { name: request.params.name, value: rows[0] ? Number(rows[0].value) : 0 };
});
app.post('/api/counters/:name/increment', async (request) => {
  const { rows } = await pool.query({
    name: 'increment',
    text: SQL,
    values: [request.params.name, 1],
  });
  return { name: request.params.name, value: Number(rows[0].value) };
});

await app.listen({ port: Number(process.env.PORT ?? 18183), host: '127.0.0.1' });
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
