import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** The longest address text: IPv6 ending in dotted IPv4 (INET6_ADDRSTRLEN - 1). */
const LONGEST_ADDRESS = 45;

/**
 * The client a request came from: `request.ip` (the socket's peer, or behind a trusted proxy
 * the first hop TRUST_PROXY does not trust, http/proxy-trust.ts) when that is an address.
 * Fastify does not check the hop it picks: behind a trusted proxy that passes on a header its
 * client wrote, it would be `not-an-ip`, 15 KB of text, or an IPv6 address with a zone
 * (node's isIP accepts `fe80::1%<anything>`: a zone names an interface of the host that wrote it,
 * meaningless here, and each new zone text would be a new bucket for the same address), and each
 * would become a rate-limit bucket, a span attribute and a log field. Such a hop is not believed: the nearest hop that is an address is the client, the
 * last trusted proxy at worst. The rate-limit key, the span's `client.address` and the access log
 * read this one function, so they agree.
 * @returns undefined only when the socket closed before anything read its peer
 */
export function clientAddress(request: FastifyRequest): string | undefined {
  const ip = request.ip;
  // Without TRUST_PROXY (Fastify defines `ips` only with it) the client is the socket's peer, as
  // the kernel gave it: an address, which the walk below would return whatever it held. Not
  // checked again: Node's isIP runs up to two regular expressions (~300 instructions a request).
  const hops = request.ips;
  if (ip === undefined || hops === undefined || isAddress(ip)) return ip;
  // [peer, trusted hops..., the hop just rejected]: walk back from the one before it.
  for (let hop = hops.length - 2; hop >= 0; hop--) {
    const address = hops[hop];
    if (address !== undefined && isAddress(address)) return address;
  }
  return request.socket.remoteAddress;
}

/** An IPv4 or IPv6 address, without a zone id (RFC 6874's `%eth0`). */
function isAddress(text: string): boolean {
  return text.length <= LONGEST_ADDRESS && !text.includes('%') && isIP(text) !== 0;
}
