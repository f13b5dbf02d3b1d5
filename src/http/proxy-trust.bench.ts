/**
 * ns per `request.ip` read behind a trusted proxy, for each way of handing TRUST_PROXY to Fastify:
 * the plain list (Fastify compiles it with proxy-addr) against trustProxyOption's memoised
 * BlockList, with a hop count and trust-nothing for scale. If the memo stops winning clearly,
 * pass the list to Fastify as it is.
 *   npm run build && taskset -c 1 node dist/http/proxy-trust.bench.js
 */
import Fastify, { type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { trustProxyOption } from './proxy-trust.js';

const LIST = ['10.0.0.0/8', 'fd00::/8'];
const CASES: Array<[string, FastifyServerOptions['trustProxy']]> = [
  ['list, plain (Fastify + proxy-addr)', LIST],
  ['list, trustProxyOption (memo + BlockList)', trustProxyOption(LIST)],
  ['hop count 1, trustProxyOption', trustProxyOption(1)],
  ['off', false],
];
const HEADERS = [
  ['one entry (ingress-nginx default)', '203.0.113.9'],
  ['three entries (CDN, load balancer)', '203.0.113.9, 10.1.2.3, 10.4.5.6'],
] as const;

/** A request as Fastify built it for this trustProxy, from peer 10.0.0.5 with this header. */
async function capture(trust: FastifyServerOptions['trustProxy'], forwardedFor: string) {
  const app = Fastify({ trustProxy: trust });
  let captured: FastifyRequest | undefined;
  app.get('/', (request, reply) => {
    captured = request;
    return reply.send('');
  });
  await app.inject({
    url: '/',
    remoteAddress: '10.0.0.5',
    headers: { 'x-forwarded-for': forwardedFor },
  });
  await app.close();
  return captured!;
}

function nsPerRead(request: FastifyRequest): number {
  let sink = 0;
  const reads = 200_000;
  for (let i = 0; i < reads / 10; i++) sink += request.ip.length; // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < reads; i++) sink += request.ip.length;
  const ns = Number(process.hrtime.bigint() - started) / reads;
  if (sink === 0) throw new Error('unreachable: keeps the reads alive');
  return ns;
}

for (const [header, forwardedFor] of HEADERS) {
  process.stdout.write(`X-Forwarded-For with ${header}\n`);
  for (const [name, trust] of CASES) {
    const request = await capture(trust, forwardedFor);
    const best = Math.min(...[1, 2, 3].map(() => nsPerRead(request)));
    process.stdout.write(
      `  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/read  ip=${request.ip}\n`,
    );
  }
}
