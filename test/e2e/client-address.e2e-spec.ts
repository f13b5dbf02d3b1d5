import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { accessLines, type Child } from '../support/child-process.js';
import { createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { OtlpReceiver, SPAN_KIND, type ReceivedSpan } from '../support/otlp-receiver.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis.js';
import { startTraced } from '../support/traced-child.js';

/** Requests per minute per client in these tests. */
const LIMIT = 3;

/** What the service made of one request: its answer, its access-log line and its server span. */
interface Seen {
  status: number;
  logged: string | undefined;
  traced: unknown;
  peer: unknown;
  scheme: unknown;
}

describe('client address (TRUST_PROXY): rate-limit bucket, span client.address and access log agree', () => {
  let db: TestDatabase;
  let redis: ThrowawayRedis;
  let receiver: OtlpReceiver;
  let endpoint: string;
  let child: Child | undefined;

  beforeAll(async () => {
    [db, redis] = await Promise.all([createPostgresDatabase(), startThrowawayRedis()]);
    receiver = new OtlpReceiver();
    endpoint = await receiver.start();
  });
  afterAll(async () => {
    await Promise.all([db?.drop(), redis?.stop(), receiver?.close()]);
  });
  beforeEach(async () => {
    // Buckets last a minute: each test starts from empty ones (this Redis is ours alone).
    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();
  });
  afterEach(async () => {
    if (child && child.process.exitCode === null) child.process.kill('SIGTERM');
    await child?.exited;
    child = undefined;
  });

  /** A traced rampart on 127.0.0.1, rate limited over Redis, with TRUST_PROXY as given. */
  async function start(trustProxy: string | undefined): Promise<Child> {
    child = await startTraced(endpoint, {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      OTEL_TRACES_SAMPLER: 'always_on',
      LOG_LEVEL: 'info',
      ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }),
    });
    return child;
  }

  /** GET /hello over a real socket from 127.0.0.1, with `forwardedFor` as X-Forwarded-For. */
  async function call(app: Child, forwardedFor?: string, proto?: string): Promise<Seen> {
    const traceId = randomBytes(16).toString('hex');
    const headers: Record<string, string> = {
      ...(proto === undefined ? {} : { 'x-forwarded-proto': proto }),
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    };
    if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
    const res = await fetch(`${app.baseUrl}/hello`, { headers });
    await res.arrayBuffer();
    const requestId = res.headers.get('x-request-id');
    // The trace also holds the rate limiter's Redis command: pick the server span.
    const isServer = (s: ReceivedSpan) => s.traceId === traceId && s.kind === SPAN_KIND.SERVER;
    await receiver.waitFor((spans) => spans.some(isServer));
    const span = receiver.spans.find(isServer)!;
    return {
      status: res.status,
      logged: (await accessLine(app, requestId)).clientAddress as string | undefined,
      traced: span.attributes['client.address'],
      peer: span.attributes['network.peer.address'],
      scheme: span.attributes['url.scheme'],
    };
  }

  /** The access-log line of one request (the sink writes in batches: poll). */
  async function accessLine(app: Child, requestId: string | null) {
    for (let polls = 0; polls < 250; polls++) {
      const [line] = requestId === null ? [] : accessLines(app, requestId);
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no access-log line for request ${requestId}:\n${app.output()}`);
  }

  describe.each([
    ['unset (off)', undefined],
    ['a list without 127.0.0.1', '10.0.0.0/8, fd00::/8'],
  ])('TRUST_PROXY %s', (_name, trustProxy) => {
    it('ignores X-Forwarded-For from an untrusted peer: one bucket for 127.0.0.1, whatever it claims; log and span say 127.0.0.1', async () => {
      const app = await start(trustProxy);
      const seen = [
        await call(app, '1.2.3.4'),
        await call(app, '5.6.7.8, 1.2.3.4'),
        await call(app),
        await call(app, '9.9.9.9'),
      ];
      expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429]);
      for (const s of seen) {
        expect(s).toMatchObject({ logged: '127.0.0.1', traced: '127.0.0.1', peer: '127.0.0.1' });
      }
    });
  });

  describe.each([
    ['127.0.0.1/32 (the proxy by address)', '127.0.0.1/32'],
    ['1 (one hop)', '1'],
  ])('TRUST_PROXY=%s', (_name, trustProxy) => {
    it('gives two clients behind the proxy two buckets: A exhausts its own (429) while B is served; log and span name each', async () => {
      const app = await start(trustProxy);
      const [a, b] = ['203.0.113.7', '2001:db8::7'];
      const fromA = [];
      for (let i = 0; i <= LIMIT; i++) fromA.push(await call(app, a));
      const fromB = [await call(app, b), await call(app, b)];
      expect(fromA.map((s) => s.status)).toEqual([200, 200, 200, 429]);
      expect(fromB.map((s) => s.status)).toEqual([200, 200]);
      for (const s of fromA) expect(s).toMatchObject({ logged: a, traced: a, peer: '127.0.0.1' });
      for (const s of fromB) expect(s).toMatchObject({ logged: b, traced: b, peer: '127.0.0.1' });
      // The proxy's own requests (no header) are a third client.
      expect(await call(app)).toMatchObject({ status: 200, logged: '127.0.0.1' });
    });

    it('believes only the hop the proxy wrote: "spoofed, real" is real, and entries a client adds on the left do not buy a new bucket', async () => {
      const app = await start(trustProxy);
      const real = '198.51.100.23';
      const seen = [];
      for (let i = 0; i <= LIMIT; i++) seen.push(await call(app, `10.9.9.${i}, ${real}`));
      expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429]);
      for (const s of seen) expect(s).toMatchObject({ logged: real, traced: real });
    });

    it('does not believe a forwarded hop that is not an address: the proxy is the client, one bucket for every such text; the scheme is http or https', async () => {
      const app = await start(trustProxy);
      const seen = [
        await call(app, 'not-an-address', 'https'),
        await call(app, 'x'.repeat(15_000), 'gopher'),
        await call(app, `fe80::1%${'z'.repeat(200)}`),
        await call(app, '203.0.113.9:443'),
      ];
      expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429]);
      for (const s of seen) expect(s).toMatchObject({ logged: '127.0.0.1', traced: '127.0.0.1' });
      // The proxy's X-Forwarded-Proto is believed only as one of the two schemes there are.
      expect(seen.map((s) => s.scheme)).toEqual(['https', 'http', 'http', 'http']);
    });

    it('GET /headers shows as clientIp the client the service uses, as the access log does: never a hop it does not believe', async () => {
      const app = await start(trustProxy);
      const cases: Array<[forwardedFor: string, client: string]> = [
        ['garbage', '127.0.0.1'],
        ['fe80::1%eth0', '127.0.0.1'], // a zone names an interface of the host that wrote it
        ['203.0.113.7', '203.0.113.7'],
      ];
      for (const [forwardedFor, client] of cases) {
        const res = await fetch(`${app.baseUrl}/headers`, {
          headers: { 'x-forwarded-for': forwardedFor },
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ remoteAddress: '127.0.0.1', clientIp: client });
        const logged = await accessLine(app, res.headers.get('x-request-id'));
        expect(logged.clientAddress).toBe(client);
      }
    });
  });
});
