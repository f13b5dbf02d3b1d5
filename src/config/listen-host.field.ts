import { isIP } from 'node:net';
import { text } from './config.fields.js';

/** A DNS label (RFC 1123 §2.1): letters, digits and inner hyphens, 1-63 characters. */
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * A last label that makes the whole a number, not a name: all digits (RFC 3696 §2), or `0x` and
 * hex digits, as the WHATWG URL host parser's "ends in a number" reads it. The resolver reads
 * both as an IPv4 address (inet_aton): `0x7f000001` passed as a name and listened on 127.0.0.1,
 * `0X1` on 0.0.0.1.
 */
const NUMBER_LABEL = /^(\d+|0x[0-9a-f]*)$/i;

/**
 * Whether `value` is an IPv4 or IPv6 literal (no brackets, an IPv6 zone allowed: `fe80::1%eth0`)
 * or a host name: labels as above, at most 253 characters, one trailing dot allowed, the last
 * label not a number (`127.1`, `256.0.0.1` and `0x7f000001` are no names, and the resolver reads
 * the first and the last as 127.0.0.1).
 */
export function isListenHost(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((label) => LABEL.test(label)) && !NUMBER_LABEL.test(labels.at(-1)!);
}

/**
 * HOST and ADMIN_HOST: the address a listener binds. Anything else went as given to listen()
 * and failed there, after the migrations ran (`HOST=0.0.0.0:8080`: "the host name does not
 * resolve", naming the port nobody had got wrong); `portVariable` is where the port goes.
 */
export const listenHost = (portVariable: string) =>
  text().refine(isListenHost, {
    message:
      `expected a host name, an IPv4 address or an IPv6 address, without brackets ` +
      `or a port (the port is ${portVariable})`,
  });
