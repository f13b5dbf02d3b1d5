import { createServer, type Server } from 'node:http';
import { freePort } from '../support/child-process.js';
// @ts-expect-error -- plain ESM JavaScript without type declarations
import { blockingCanaryAvailable, startCanary } from '../../bench/lib/canary.js';

// The overload bench's canaries must tell the ways a server turns a client away apart: an
// answer (200), a 503, and a connect the kernel refused. Both clients, the Node one and the
// blocking one (canary.py), over real sockets.

interface Record {
  outcome: string;
  ms: number;
}
type Canary = {
  started: Promise<void>;
  stop(): Promise<{ records: Record[]; lateness: number[] }>;
};
const start = startCanary as (url: string, options?: { blocking?: boolean }) => Canary;

describe.each([
  ['node', false],
  ['blocking (python3)', true],
])('bench canary, %s', (_name, blocking) => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/busy' ? 503 : 200;
      response.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('can run here', () => {
    expect(blocking ? blockingCanaryAvailable : true).toBe(true);
  });

  it.each([
    ['a 200', 'ok', async () => `${base}/`],
    ['a 503', 'refused', async () => `${base}/busy`],
    ['a refused connect', 'refusedConnect', async () => `http://127.0.0.1:${await freePort()}/`],
  ])('records %s as %s', async (_what, outcome, url) => {
    const canary = start(await url(), { blocking });
    await canary.started;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { records, lateness } = await canary.stop();
    expect(records.length).toBeGreaterThan(5);
    expect(new Set(records.map((r) => r.outcome))).toEqual(new Set([outcome]));
    expect(records.every((r) => r.ms >= 0)).toBe(true);
    expect(lateness.length).toBe(records.length);
  });
});
