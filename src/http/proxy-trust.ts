import { BlockList, isIP } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { NAMED_RANGES, type TrustProxy } from '../config/trust-proxy.field.js';

/** How Fastify asks whether one hop is a proxy: hop 0 is the socket's peer, 1 the rightmost entry. */
type TrustFunction = (address: string, hop: number) => boolean;

/**
 * Fastify's `trustProxy` for TRUST_PROXY. Fastify (through @fastify/proxy-addr) walks
 * `X-Forwarded-For` from the socket's peer leftwards while each hop is trusted; `request.ip` is
 * the first untrusted one, checked to be an address by protocol/client-address.ts. That one
 * address is the rate-limit key (redis/rate-limit.options.ts), the span's `client.address`
 * (telemetry/server-span.hooks.ts) and the access log's `clientAddress` (access.log.ts). A
 * trusted peer's X-Forwarded-Proto and -Host are believed too.
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
    return (_address: string, hop: number) => hop < hops;
  }
  return trustedRanges(setting);
}

/** Distinct addresses whose verdict is remembered; past it, verdicts are computed each time. */
const REMEMBERED_MAX = 1024;

/**
 * A list as a trust function: Node's BlockList (which also matches an IPv4-mapped IPv6 peer
 * against IPv4 ranges, as proxy-addr does) behind a bounded memo of verdicts. Handed the plain
 * list, Fastify parses each hop with ipaddr.js on every `request.ip` read (2-6 µs measured here),
 * and a request reads it up to three times (rate-limit key, span, access log); with the memo a
 * read costs about what a hop count does, ~0.2 µs (proxy-trust.bench.ts). Nearly every question
 * is about the peer, a proxy's address: deeper hops are asked about only while every hop to their
 * right was trusted, so a client cannot fill the memo with addresses it writes itself.
 */
function trustedRanges(entries: readonly string[]): TrustFunction {
  const ranges = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) ranges.addAddress(address, family);
    else ranges.addSubnet(address, Number(prefix), family);
  }
  const verdicts = new Map<string, boolean>();
  return (address) => {
    let trusted = verdicts.get(address);
    if (trusted === undefined) {
      const family = isIP(address);
      trusted = family !== 0 && ranges.check(address, family === 4 ? 'ipv4' : 'ipv6');
      if (verdicts.size < REMEMBERED_MAX) verdicts.set(address, trusted);
    }
    return trusted;
  };
}
