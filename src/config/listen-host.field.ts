import { isIP } from 'node:net';
import { text } from './config.fields.js';

/** A DNS label (RFC 1123 §2.1): letters, digits and inner hyphens, 1-63 characters. */
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Whether `value` is an IPv4 or IPv6 literal (no brackets, an IPv6 zone allowed: `fe80::1%eth0`)
 * or a host name: labels as above, at most 253 characters, one trailing dot allowed, the last
 * label not all digits (RFC 3696 §2: `127.1` or `256.0.0.1` are no names, and the resolver reads
 * the first as 127.0.0.1).
 */
export function isListenHost(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
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
