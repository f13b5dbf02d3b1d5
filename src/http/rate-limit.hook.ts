import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { RateLimitFailOpen } from '../redis/rate-limit.fail-open.js';
import { RateLimitedError } from '../redis/rate-limit.errors.js';

/**
 * Rate limiting (@fastify/rate-limit, options from redis/rate-limit.options.ts), when enabled,
 * as one onRequest hook on the whole public listener, registered after the hooks of
 * http.hooks.ts (a 429 already carries its request id and span) and the protocol checks.
 *
 * Not the plugin's own hooks, for two reasons:
 * - they are added per route (its onRoute hook), so a request that matches no route (404, and
 *   whatever Nest answers from its not-found handler) was never counted nor refused: a client
 *   at 429 on /hello still got unlimited 404s, each with its access line. One hook here runs
 *   for routed and unrouted requests alike: the limit is per client, not per route;
 * - with `skipOnError` the plugin hides a store failure: the request got
 *   `x-ratelimit-remaining: <limit>` and `x-ratelimit-reset: 0`, telling the client it had its
 *   whole budget, and nothing counted or logged it. Here the store's error reaches this hook
 *   (`skipOnError: false`), the request goes through without RateLimit headers, and
 *   RateLimitFailOpen counts and logs it.
 */
export async function registerRateLimit(
  app: FastifyInstance,
  options: RateLimitPluginOptions | undefined,
  failOpen: RateLimitFailOpen,
): Promise<void> {
  if (!options) return;
  await app.register(rateLimit, options);
  const check = app.createRateLimit();
  app.addHook('onRequest', async (request, reply) => {
    let limit: Awaited<ReturnType<typeof check>>;
    try {
      limit = await check(request);
    } catch (error) {
      failOpen.failedOpen(error);
      return;
    }
    if (limit.isAllowed) return; // a probe: the store was not asked
    failOpen.answered();
    reply.header('x-ratelimit-limit', limit.max);
    reply.header('x-ratelimit-remaining', limit.remaining);
    reply.header('x-ratelimit-reset', limit.ttlInSeconds);
    // Retry-After comes with the problem (errors/problem.reply.ts).
    if (limit.isExceeded) throw new RateLimitedError(Math.max(1, limit.ttlInSeconds), limit.max);
  });
}
