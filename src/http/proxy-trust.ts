import type { FastifyServerOptions } from 'fastify';
import type { TrustProxy } from '../config/trust-proxy.field.js';

/**
 * Fastify's `trustProxy` for TRUST_PROXY. Fastify (through @fastify/proxy-addr) walks
 * `X-Forwarded-For` from the socket's peer leftwards while each hop is trusted; `request.ip` is
 * the first untrusted one. That one address is the rate-limit key (redis/rate-limit.options.ts),
 * the span's `client.address` (telemetry/server-span.hooks.ts) and the access log's
 * `clientAddress` (access.log.ts). A trusted peer's X-Forwarded-Proto and -Host are believed too.
 *
 * A hop count is passed as a function, not a number: since 5.12 Fastify treats a number as
 * "trust nothing", because a count cannot tell a proxy from a client that connected directly and
 * wrote its own header (fastify docs, Server.md#trustproxy). A count is therefore only sound
 * where nothing but the proxy can reach the port; in k8s/ the NetworkPolicy guarantees that, and
 * test/k8s checks the two stay together.
 */
export function trustProxyOption(setting: TrustProxy): FastifyServerOptions['trustProxy'] {
  if (setting === false) return false;
  if (typeof setting === 'number') {
    const hops = setting;
    // hop 0 is the socket's peer, 1 the rightmost X-Forwarded-For entry, and so on.
    return (_address: string, hop: number) => hop < hops;
  }
  return [...setting];
}
