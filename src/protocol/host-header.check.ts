import { validHost } from './request-target.js';

/**
 * RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host, with more than
 * one Host line, or with an invalid Host. Node keeps only the first of duplicate Host lines in
 * `headers`, so the raw header list is read.
 *
 * Every request passes here. Reading the value is most of the cost (a regex, then the URL parser:
 * request-target.ts's validHost), and behind an ingress nearly every request names the same host,
 * so the last value found valid is remembered: a string comparison instead
 * (host-header.check.bench.ts).
 */
export class HostHeaderCheck {
  protected lastValid: string | undefined;

  /** Why the request's Host is unacceptable, or undefined when it is fine. */
  problem(rawHeaders: readonly string[], httpVersion: string): string | undefined {
    let host: string | undefined;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] as string;
      if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
      if (host !== undefined) return 'More than one Host header.';
      host = rawHeaders[i + 1] as string;
    }
    if (host === undefined) {
      return httpVersion === '1.1' ? 'An HTTP/1.1 request needs a Host header.' : undefined;
    }
    if (host === this.lastValid) return undefined;
    if (!validHost(host)) return 'The Host header is not a valid host[:port].';
    this.lastValid = host;
    return undefined;
  }
}
