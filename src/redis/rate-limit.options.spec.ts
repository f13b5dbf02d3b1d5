import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import { loadConfig } from '../config/config.loader.js';
import { rateLimitOptions } from './rate-limit.options.js';
import { RedisNames } from './redis.names.js';

describe('rateLimitOptions, in-process store (no REDIS_URL)', () => {
  it('a limited client is still limited after 5,000 other clients (the plugin default) were seen', async () => {
    const config = loadConfig({ RATE_LIMIT_PER_MINUTE: '1' });
    const options = rateLimitOptions(config, undefined, new RedisNames(config));
    expect(options).toBeDefined();
    const app = Fastify();
    await app.register(rateLimit, options ?? {});
    app.addHook('onRequest', app.rateLimit());
    app.get('/', async () => 'ok');
    const from = async (remoteAddress: string) =>
      (await app.inject({ url: '/', remoteAddress })).statusCode;
    try {
      expect([await from('192.0.2.1'), await from('192.0.2.1')]).toEqual([200, 429]);
      // 5,001 other clients, one request each: 10.0.0.0 to 10.0.19.136.
      for (let i = 0; i <= 5_000; i++) await from(`10.0.${i >> 8}.${i & 255}`);
      expect(await from('192.0.2.1')).toBe(429);
    } finally {
      await app.close();
    }
  });
});
