// The raw Fastify + pg baseline for GET /api/items/:id: the identical SQL, the same pool size
// (DB_POOL_MAX, 10) and the same JSON, with nothing around it — no deadline, no cache, no
// validation library, no Nest. rampart's uncached throughput is reported as a ratio to this.
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const SQL =
  'SELECT id::text AS id, name, description, tags, version, created_at, updated_at FROM items WHERE id = $1';
const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/api/items/:id', async (request, reply) => {
  const { rows } = await pool.query(SQL, [request.params.id]);
  const row = rows[0];
  if (!row) return reply.code(404).send({ code: 'ITEM_NOT_FOUND' });
  reply.header('etag', `"${row.id}.${row.version}"`).type('application/json; charset=utf-8');
  return JSON.stringify({
    id: row.id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  });
});

await app.listen({ port: Number(process.env.PORT ?? 18182), host: '127.0.0.1' });
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
