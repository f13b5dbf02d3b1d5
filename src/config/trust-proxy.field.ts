import { isIP } from 'node:net';
import { z } from 'zod';
import { BLANK_MESSAGE, emptyEntriesProblem, listEntries, notBlank } from './config.fields.js';

/**
 * Which `X-Forwarded-For` hops the public listener believes (TRUST_PROXY):
 * - `false`: none; the client is the socket's peer (the default);
 * - a number: that many proxies in front of rampart, whoever they are;
 * - a list of IPs/CIDRs (or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`): hops
 *   whose address is in the list are proxies.
 * http/proxy-trust.ts turns it into Fastify's `trustProxy` option.
 */
export type TrustProxy = false | number | readonly string[];

/** Named ranges a list may use, as proxy-addr defines them (`@fastify/proxy-addr` IP_RANGES). */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  loopback: ['127.0.0.1/8', '::1/128'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};
const OFF = new Set(['', 'off', 'false', '0']);
/** A longer chain of proxies in front of one service is more likely a typo than a topology. */
const MAX_HOPS = 10;
const EXPECTED = `expected off, a hop count (1-${MAX_HOPS}) or a comma-separated list of IPs/CIDRs`;

/**
 * The TRUST_PROXY field: parsed once at boot, every mistake named, so a bad value stops start-up
 * with the variable's name instead of a stack from node:net's BlockList or the framework.
 */
export const trustProxy = () =>
  z.string().transform((raw, ctx): TrustProxy => {
    // Blank was read as off: a hop count missing from a template put every client behind the
    // ingress in one rate-limit bucket. (Empty is unset, and off is the default.)
    if (raw !== '' && !notBlank(raw)) {
      ctx.addIssue({ code: 'custom', message: `${BLANK_MESSAGE}; ${EXPECTED}` });
      return z.NEVER;
    }
    const value = raw.trim().toLowerCase();
    if (OFF.has(value)) return false;
    if (value === 'true') {
      // `true` believes the leftmost X-Forwarded-For entry, which any client can write.
      ctx.addIssue({
        code: 'custom',
        message: `trusting every hop lets a client pick its own address; ${EXPECTED}`,
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops <= MAX_HOPS) return hops;
      ctx.addIssue({
        code: 'custom',
        message: `${hops} hops is more than ${MAX_HOPS}; ${EXPECTED}`,
      });
      return z.NEVER;
    }
    const entries = listEntries(value);
    const problems = [
      emptyEntriesProblem(entries),
      ...entries.filter((entry) => entry !== '').map(entryProblem),
    ].filter((p) => p !== undefined);
    if (problems.length === 0) return Object.freeze(entries);
    // One issue: the expectation said once after every entry's problem.
    ctx.addIssue({ code: 'custom', message: `${problems.join('; ')}; ${EXPECTED}` });
    return z.NEVER;
  });

/** Why one list entry is unusable, or undefined when it is an address, a CIDR or a named range. */
function entryProblem(entry: string): string | undefined {
  if (Object.hasOwn(NAMED_RANGES, entry)) return undefined;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  // Zone ids (fe80::1%eth0) name an interface of this host; a peer's address never carries one.
  if (family === 0 || address.includes('%')) return `"${entry}" is not an IP address or CIDR`;
  if (slash === -1) return undefined;
  const prefix = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  // proxy-addr refuses /0 as well: a range covering every address is `true` in disguise.
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) < 1 || Number(prefix) > max) {
    return `"${entry}": prefix /${prefix} is out of range for an IPv${family} address (1-${max})`;
  }
  // An IPv4-mapped range counts the 96 bits before the IPv4 part: ::ffff:10.0.0.0/8 was every
  // IPv4 hop, `true` in disguise again.
  if (family === 6 && /^::ffff:\d/i.test(address) && Number(prefix) <= 96) {
    return `"${entry}": an IPv4-mapped range needs a prefix from /97 to /128 (its IPv4 prefix + 96)`;
  }
  return undefined;
}
