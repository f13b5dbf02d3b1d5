import { normalizeIP, type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.schema.js';
import { clientAddress } from '../protocol/client-address.js';
import type { RedisNames } from './redis.names.js';

const IPV6_SUBNET = 64;

/**
 * Clients the in-process store (no REDIS_URL) remembers, least recently seen forgotten first.
 * @fastify/rate-limit's default, 5,000, let a limited client start over once 5,000 other client
 * keys had been seen on the replica, within its own minute: a busy public pod, a few thousand
 * IPv4 addresses, or one IPv6 /48 (65,536 /64 keys) did it. 100,000 is past one /48's worth;
 * an entry costs ~260-300 bytes (V8 heap after a full GC, Node 24: key, counter, LRU links;
 * 100,000 X-Forwarded-For clients behind a trusted proxy), so a full store holds ~26-30 MB of
 * the 384 MiB old space (k8s/base/deployment.yaml). With Redis, keys expire there
 * at the window's end and nothing is forgotten early.
 */
const LOCAL_STORE_CLIENTS = 100_000;

/**
 * @fastify/rate-limit settings, or undefined when RATE_LIMIT_PER_MINUTE is 0 (the default).
 * - per client IP, a fixed one-minute window. The IP is the socket's peer, or behind a trusted
 *   proxy the address it forwarded (TRUST_PROXY, protocol/client-address.ts); an IPv6
 *   client counts per /64: one subnet, inside which a host picks its own addresses (SLAAC,
 *   temporary addresses per RFC 8981), so rotating them does not reset the count;
 * - with REDIS_URL the counters live in Redis under REDIS_KEY_PREFIX (redis.names.ts), so the
 *   limit holds across every replica with that prefix; without it each replica counts alone (the
 *   effective limit is N × the setting) and remembers at most LOCAL_STORE_CLIENTS clients;
 * - fail-open: if Redis errors, the request goes through — an outage of the limiter must not
 *   become an outage of the API. Not `skipOnError`: the error reaches the hook
 *   (http/rate-limit.hook.ts), which counts and logs it (rate-limit.fail-open.ts) and sends no
 *   RateLimit headers;
 * - one hook for every request, routed or not (http/rate-limit.hook.ts), not the plugin's
 *   per-route hooks (`global: false`);
 * - probes are exempt: a kubelet must never be throttled into restarting a healthy pod;
 * - over the limit → 429 problem+json `RATE_LIMITED` with Retry-After (via the one filter).
 */
export function rateLimitOptions(
  config: AppConfig,
  redis: Redis | undefined,
  names: RedisNames,
): RateLimitPluginOptions | undefined {
  const max = config.RATE_LIMIT_PER_MINUTE;
  if (max === 0) return undefined;
  return {
    global: false,
    max,
    timeWindow: 60_000,
    redis,
    nameSpace: names.rateLimitKeys,
    cache: LOCAL_STORE_CLIENTS,
    skipOnError: false,
    allowList: (request) => request.requestState?.probe === true,
    // The address is undefined only if the socket closed before this hook ran: such requests
    // share one bucket.
    keyGenerator: (request) => normalizeIP(clientAddress(request) ?? '', IPV6_SUBNET),
  };
}
