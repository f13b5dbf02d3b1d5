// The raw Fastify baseline: the identical /hello route with nothing around it. rampart's
// throughput is reported as a ratio to this server, measured in the same run.
import Fastify from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';

const MESSAGE = 'Hello, Gopher! This request was handled concurrently.';
const app = Fastify({ logger: false });

app.get('/hello', async (request, reply) => {
  const delay = Number(request.query.delay ?? 0);
  if (delay > 0) await sleep(delay);
  reply.type('text/plain; charset=utf-8');
  return MESSAGE;
});

await app.listen({ port: Number(process.env.PORT ?? 18181), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
