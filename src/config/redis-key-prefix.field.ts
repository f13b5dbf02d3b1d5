import { text } from './config.fields.js';

/**
 * REDIS_KEY_PREFIX: 1-128 characters that need no quoting in redis-cli, a shell or an env file
 * (letters, digits, `.`, `_`, `:`, `-`), ending in `:` so every name reads `<prefix><name>`
 * (`staging` would have made `stagingitems:invalidate`). 128 leaves room for a Kubernetes
 * namespace and a Helm release name (63 + 53 + 2). The chart's values.schema.json holds the
 * same pattern.
 */
export const REDIS_KEY_PREFIX_PATTERN = /^[A-Za-z0-9._:-]{0,127}:$/;

/**
 * The prefix of every Redis key and channel (redis/redis.names.ts): deployments sharing one
 * Redis are apart only if their prefixes differ. The default is the names used before it existed.
 */
export const redisKeyPrefix = () =>
  text()
    .regex(
      REDIS_KEY_PREFIX_PATTERN,
      'expected 1-128 letters, digits or . _ : -, ending in ":" (e.g. "staging:")',
    )
    .default('rampart:');
