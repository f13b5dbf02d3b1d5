/**
 * ns per access line: AccessLog's hand-built line against the plain choice, a pino child logger
 * (`{ module: 'http' }`, the same options and correlation mixin as logging/logger.ts), both into
 * a sink that keeps nothing. If the hand-built line stops winning clearly, log through pino.
 *   npm run bench -- micro   (or: npm run build && node dist/http/access.log.bench.js)
 */
import type { FastifyRequest } from 'fastify';
import pino from 'pino';
import { isoNow } from '../logging/logger.js';
import { AccessLog } from './access.log.js';

const discard = { write: (line: string) => line.length > 0 };
const request = {
  id: 'f3b5c1de-8a0e-4c43-9a55-2c8f0f1a7b21',
  method: 'GET',
  ip: '203.0.113.9',
  requestState: null,
} as unknown as FastifyRequest;

const traced = {
  ...request,
  requestState: {
    span: {
      spanContext: () => ({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 0,
      }),
    },
  },
} as unknown as FastifyRequest;

const handBuilt = new AccessLog('rampart', discard);
const viaPino = pino(
  {
    level: 'info',
    base: { pid: process.pid },
    timestamp: () => `,"time":"${isoNow()}"`,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => ({ service: 'rampart' }),
  },
  discard,
).child({ module: 'http' });

const CASES: Array<[string, () => void]> = [
  [
    'pino child logger (plain)',
    () =>
      viaPino.info(
        {
          reqId: request.id,
          method: 'GET',
          route: '/hello',
          status: 200,
          clientAddress: request.ip,
          durationMs: 0.42,
        },
        'request',
      ),
  ],
  ['AccessLog, hand-built line', () => handBuilt.write(request, '/hello', 200, 0.4213, false)],
  [
    'AccessLog, with a span (trace ids)',
    () => handBuilt.write(traced, '/hello', 200, 0.4213, false),
  ],
];

function nsPerLine(write: () => void): number {
  const lines = 300_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < lines; i++) write();
  return Number(process.hrtime.bigint() - started) / lines;
}

process.stdout.write('one access line, formatted and handed to the sink\n');
for (const [name, write] of CASES) {
  nsPerLine(write); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerLine(write)));
  process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
}
