import { loadConfig } from '../config/config.loader.js';
import { RedisService } from './redis.service.js';

/** Against the shared Redis: the connection is real, only its options are read. */
describe('RedisService', () => {
  const url = 'redis://127.0.0.1:6379';

  it('gives every command REDIS_COMMAND_TIMEOUT_MS, 1 s unless set', async () => {
    const timeouts: Array<number | undefined> = [];
    for (const env of [{ REDIS_URL: url }, { REDIS_URL: url, REDIS_COMMAND_TIMEOUT_MS: '2500' }]) {
      const service = new RedisService(loadConfig(env));
      timeouts.push(service.client?.options.commandTimeout);
      await service.onApplicationShutdown();
    }
    expect(timeouts).toEqual([1_000, 2_500]);
  });

  it('refuses a timeout under 50 ms, naming the variable', () => {
    expect(() => loadConfig({ REDIS_URL: url, REDIS_COMMAND_TIMEOUT_MS: '10' })).toThrow(
      /REDIS_COMMAND_TIMEOUT_MS/,
    );
  });
});
