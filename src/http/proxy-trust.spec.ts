import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../config/config.loader.js';
import { trustProxyOption } from './proxy-trust.js';

/** A Fastify instance built with TRUST_PROXY=value that answers with request.ip and protocol. */
async function echo(value: string): Promise<FastifyInstance> {
  const app = Fastify({
    trustProxy: trustProxyOption(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY),
  });
  app.get('/', (request) => ({ ip: request.ip, protocol: request.protocol }));
  await app.ready();
  return app;
}

/** request.ip for a request from `peer` carrying `forwardedFor` as X-Forwarded-For. */
async function clientOf(app: FastifyInstance, peer: string, forwardedFor?: string) {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  const res = await app.inject({ url: '/', remoteAddress: peer, headers });
  return (res.json() as { ip: string }).ip;
}

describe('trustProxyOption (TRUST_PROXY → Fastify trustProxy → request.ip)', () => {
  const apps: FastifyInstance[] = [];
  const build = async (value: string) => {
    const app = await echo(value);
    apps.push(app);
    return app;
  };
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  it('off: the peer, whatever X-Forwarded-For says', async () => {
    const app = await build('off');
    expect(await clientOf(app, '10.0.0.5', '1.2.3.4')).toBe('10.0.0.5');
  });

  it('a hop count believes that many proxies, counted from the peer', async () => {
    const one = await build('1');
    expect(await clientOf(one, '10.0.0.5', 'spoofed, 203.0.113.9')).toBe('203.0.113.9');
    expect(await clientOf(one, '10.0.0.5')).toBe('10.0.0.5');
    const two = await build('2');
    expect(await clientOf(two, '10.0.0.5', '198.51.100.1, 203.0.113.9, 10.0.0.9')).toBe(
      '203.0.113.9',
    );
    // Fewer hops than trusted: the leftmost address is all there is.
    expect(await clientOf(two, '10.0.0.5', '203.0.113.9')).toBe('203.0.113.9');
  });

  it('a list believes listed peers only, and stops at the first unlisted hop', async () => {
    const app = await build('10.0.0.0/8, fd00::/8');
    expect(await clientOf(app, '10.0.0.5', '203.0.113.9')).toBe('203.0.113.9');
    expect(await clientOf(app, 'fd00::5', '2001:db8::1')).toBe('2001:db8::1');
    expect(await clientOf(app, '10.0.0.5', 'spoofed, 203.0.113.9, 10.0.0.7')).toBe('203.0.113.9');
    // An unlisted peer is the client, its header a claim.
    expect(await clientOf(app, '198.51.100.1', '1.2.3.4')).toBe('198.51.100.1');
    // An IPv4 peer seen on a dual-stack socket matches the IPv4 range.
    expect(await clientOf(app, '::ffff:10.0.0.5', '203.0.113.9')).toBe('203.0.113.9');
  });

  it('builds every list the config accepts, IPv4-mapped ranges included', async () => {
    const app = await build('::ffff:10.1.0.0/112, ::1, 192.168.1.7, linklocal');
    expect(await clientOf(app, '10.1.0.5', '203.0.113.9')).toBe('203.0.113.9');
    expect(await clientOf(app, '::1', '203.0.113.9')).toBe('203.0.113.9');
    expect(await clientOf(app, '192.168.1.7', '203.0.113.9')).toBe('203.0.113.9');
    expect(await clientOf(app, '192.168.1.8', '203.0.113.9')).toBe('192.168.1.8');
    expect(await clientOf(app, '169.254.3.3', '203.0.113.9')).toBe('203.0.113.9');
  });

  it('named ranges are expanded (uniquelocal: 10/8, 172.16/12, 192.168/16, fc00::/7)', async () => {
    const app = await build('uniquelocal');
    expect(await clientOf(app, '172.20.1.1', '203.0.113.9')).toBe('203.0.113.9');
    expect(await clientOf(app, '203.0.113.7', '1.2.3.4')).toBe('203.0.113.7');
  });

  it('a hop that is not an address is never a proxy: it is the client', async () => {
    const app = await build('10.0.0.0/8');
    expect(await clientOf(app, '10.0.0.5', 'spoofed, banana')).toBe('banana');
  });

  it('answers the same for every address once its memo is full', () => {
    const trust = trustProxyOption(['10.0.0.0/8', 'fd00::/8']) as (
      a: string,
      hop: number,
    ) => boolean;
    const verdicts = (round: number) =>
      Array.from({ length: 3000 }, (_, i) => {
        const address =
          i % 2 === 0 ? `10.${round}.${i >> 8}.${i & 255}` : `fd00::${i.toString(16)}`;
        const outside = i % 3 === 0 ? `198.51.${i >> 8}.${i & 255}` : `2001:db8::${i.toString(16)}`;
        return [trust(address, 0), trust(outside, 0)];
      });
    for (const round of [1, 1, 2]) {
      expect(verdicts(round).every(([inside, outside]) => inside && !outside)).toBe(true);
    }
  });

  it('a trusted peer is believed about the scheme, an untrusted one is not', async () => {
    const app = await build('10.0.0.0/8');
    const protocolFrom = async (peer: string) => {
      const res = await app.inject({
        url: '/',
        remoteAddress: peer,
        headers: { 'x-forwarded-proto': 'https' },
      });
      return (res.json() as { protocol: string }).protocol;
    };
    expect(await protocolFrom('10.0.0.5')).toBe('https');
    expect(await protocolFrom('198.51.100.1')).toBe('http');
  });
});
