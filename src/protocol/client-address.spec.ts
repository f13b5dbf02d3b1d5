import Fastify, { type FastifyInstance } from 'fastify';
import { clientAddress } from './client-address.js';

/** Trusts the peer and, when `hops` is 2, the rightmost X-Forwarded-For entry too. */
async function echo(hops: number): Promise<FastifyInstance> {
  const app = Fastify({ trustProxy: (_address: string, hop: number) => hop < hops });
  app.get('/', (request) => ({ client: clientAddress(request) ?? null, ip: request.ip }));
  await app.ready();
  return app;
}

describe('clientAddress: the hop TRUST_PROXY picks, when it is an address', () => {
  const apps: FastifyInstance[] = [];
  afterAll(() => Promise.all(apps.map((a) => a.close())));
  async function seen(hops: number, forwardedFor: string) {
    const app = await echo(hops);
    apps.push(app);
    const res = await app.inject({
      url: '/',
      remoteAddress: '10.0.0.5',
      headers: { 'x-forwarded-for': forwardedFor },
    });
    return res.json() as { client: string; ip: string };
  }

  it('is the forwarded address the trusted proxy wrote, IPv4 or IPv6', async () => {
    expect(await seen(1, 'spoofed, 203.0.113.9')).toMatchObject({ client: '203.0.113.9' });
    expect(await seen(1, '2001:db8::7')).toMatchObject({ client: '2001:db8::7' });
  });

  it.each([
    ['a word', 'not-an-address'],
    ['15 KB of text', 'x'.repeat(15_000)],
    ['an IPv6 address with a long zone', `fe80::1%${'z'.repeat(200)}`],
    ['an IPv6 address with a zone', 'fe80::1%eth0'],
    ['an address with a port', '203.0.113.9:443'],
  ])('is not %s: the nearest hop that is an address (the proxy) instead', async (_name, bad) => {
    const one = await seen(1, bad);
    expect(one.ip).toBe(bad); // what Fastify alone would have used
    expect(one.client).toBe('10.0.0.5');
    // Two trusted hops: the inner proxy's address, not the peer's.
    expect(await seen(2, `${bad}, 192.0.2.44`)).toMatchObject({ client: '192.0.2.44' });
  });

  it('is the socket peer without a trusted proxy, whatever X-Forwarded-For says', async () => {
    const app = Fastify();
    app.get('/', (request) => ({ client: clientAddress(request) ?? null }));
    apps.push(app);
    const res = await app.inject({
      url: '/',
      remoteAddress: '10.0.0.5',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.json()).toEqual({ client: '10.0.0.5' });
  });
});
