import { loadConfig } from '../config/config.loader.js';
import { RedisNames } from './redis.names.js';

const names = (env: Record<string, string>) => new RedisNames(loadConfig(env));

describe('RedisNames', () => {
  it('by default, the names deployed before REDIS_KEY_PREFIX: an upgrade renames nothing', () => {
    const defaults = names({});
    expect([defaults.itemInvalidations, defaults.itemAcks('o1'), defaults.rateLimitKeys]).toEqual([
      'rampart:items:invalidate',
      'rampart:items:ack:o1',
      'rampart:rate-limit:',
    ]);
  });

  it('puts every name under REDIS_KEY_PREFIX', () => {
    const staging = names({ REDIS_KEY_PREFIX: 'staging:eu:' });
    expect([staging.itemInvalidations, staging.itemAcks('o1'), staging.rateLimitKeys]).toEqual([
      'staging:eu:items:invalidate',
      'staging:eu:items:ack:o1',
      'staging:eu:rate-limit:',
    ]);
  });
});
