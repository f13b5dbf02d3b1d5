// Imports errors/target-form.ts alone, by its .ts name (tsc rewrites it to .js): the probe thread
// loads this file into a module graph of its own (REQUEST_TARGET_MODULE), where nothing else of
// rampart's is loaded and, under the tests, Node reads the .ts itself, stripping its types and
// mapping no .js name to a .ts file.
import { authorityEnd } from '../errors/target-form.ts';

const SLASH = 0x2f;

/**
 * Where a thread of its own imports this module from (health/probe.worker.ts, which reads a target
 * by these rules, not a copy of them): this file under tsc's output and in the sources the tests
 * run, and in the bundle, where this code sits in a shared chunk, the entry scripts/bundle.mjs
 * makes of it beside that chunk (a chunk's exports are named as esbuild pleases).
 */
export const REQUEST_TARGET_MODULE = new URL(
  `./request-target${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`,
  import.meta.url,
).href;

/** An absolute-form target's start: a scheme (RFC 3986 §3.1) and the `//` of an authority. */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * The schemes an absolute-form target may name here, in any case (RFC 3986 §3.1): an origin
 * server's resources are `http` and `https` URIs (RFC 9110 §4.2); a URL of another scheme is a
 * proxy's business (RFC 9112 §3.2.2).
 */
const HTTP_SCHEME = /^https?:\/\//i;

/**
 * Fastify's `rewriteUrl` for the public listener: an http(s) absolute-form target whose path is
 * empty (`http://host?q`, `http://host`) in origin-form, `/?q`, `/`; any other target as sent.
 * RFC 9112 §3.2.2 makes the absolute-form the whole absolute-URI, whose path may be empty and whose
 * query may hold a `/`, and RFC 9110 §4.2.3 reads an empty path as `/`: `GET http://x?a/hello` asks
 * for `/` with the query `a/hello`. The router reads it so, but Nest's adapter takes a `/` after the
 * `?` for the path's start (it guards older routers that routed this as `/hello`) and sends the
 * request to its not-found handler: 404 "Cannot GET", with `instance` cut to `http://x`. A target
 * targetProblem refuses (userinfo, fragment, no host, a port that is none) is left as sent for the
 * protocol checks to refuse: rewritten, `GET http://a:99999?q` was the home page. A plain path pays
 * one comparison.
 */
export function withEmptyPathAsSlash(url: string): string {
  if (url.charCodeAt(0) === SLASH || !HTTP_SCHEME.test(url)) return url;
  const end = authorityEnd(url, url.indexOf('://') + 3);
  if (url.charCodeAt(end) === SLASH || url.indexOf('#') !== -1) return url;
  return absoluteFormProblem(url) === undefined ? `/${url.slice(end)}` : url;
}

/**
 * RFC 3986 §3.2.2 host (IP-literal, IPv4 or reg-name) with an optional port: the syntax of a Host
 * field value (RFC 9112 §3.2). Characters only; whatever passes is then read by validHost.
 */
const HOST_SYNTAX = /^(?:\[[0-9A-Fa-f:.]+\]|[\w.~!$&'()*+,;=%-]*)(?::\d*)?$/;

/**
 * Whether `host`, a Host field's value, names the target URI's authority (RFC 9110 §7.2): empty
 * (a target URI without one, RFC 9112 §3.2), or a host[:port] the WHATWG URL parser reads as an
 * http URL's, the parser absoluteFormProblem asks about an absolute-form target's authority. The
 * characters alone passed `Host: a:99999`, `Host: :80`, `Host: [...]` and `Host: a%zz`, served
 * 200 on every port where `GET http://a:99999/` is 400 MALFORMED_URL. Every listener asks this one
 * function: the public and admin ports (host-header.check.ts) and the probe thread, which imports
 * this file.
 */
export function validHost(host: string): boolean {
  if (host === '') return true;
  return HOST_SYNTAX.test(host) && URL.parse(`http://${host}/`) !== null;
}

/** A refused request target: the 400's code and what it says. */
export interface TargetProblem {
  code: 'BAD_REQUEST' | 'MALFORMED_URL';
  detail: string;
}

/**
 * Why the request target `url` of a `method` request is refused (400), or undefined: the one
 * reading of a target every listener makes, the public and admin ports' (protocol.checks.ts, run
 * before the router's own refusal too) and the probe thread's (health/probe.worker.ts, which
 * imports this file). A plain path without a fragment pays one indexOf and one comparison. What
 * passes is a path or an http(s) URL, or `*` for OPTIONS; its escapes are the router's to decode.
 * - a fragment: RFC 9112 §3.2 gives the request-target none (a client keeps it to itself), and
 *   the router read `/hello#x` as `/hello`;
 * - `*` with a method other than OPTIONS (RFC 9112 §3.2.4: it asks about the server as a whole,
 *   RFC 9110 §9.3.7): it names nothing else;
 * - neither a path nor a URL (`*hello`): no form of RFC 9112 §3.2 (the authority-form is
 *   CONNECT's, which never gets here). llhttp passes a target starting with `*`, and the router
 *   read `*hello` as `/`: 404 "Cannot GET *hello", or 405 with `/`'s methods;
 * - a URL of a scheme other than http or https (`ftp://x/hello`): nothing here serves one
 *   (HTTP_SCHEME); the router matched no route and it was 404, whatever the method;
 * - userinfo in an absolute-form target (`http://user:pass@host/`): RFC 9110 §4.2.4 says a
 *   recipient should treat it as an error; it was served as if absent;
 * - an authority that is no host[:port] (`http://a:99999/`, `http:///x`, `http://[::1/x`):
 *   MALFORMED_URL, by the WHATWG URL parser the router (find-my-way's getPathFromAbsoluteUrl)
 *   refuses it with, here too: neither a rewrite (withEmptyPathAsSlash) nor the checks' order
 *   answers one the router would refuse, and the three ports refuse the same ones (the probe
 *   port served them from their path).
 */
export function targetProblem(url: string, method: string): TargetProblem | undefined {
  if (url.indexOf('#') !== -1) {
    return { code: 'BAD_REQUEST', detail: 'A request target carries no fragment (a part from #).' };
  }
  if (url.charCodeAt(0) === SLASH) return undefined;
  if (url === '*') {
    if (method === 'OPTIONS') return undefined;
    return { code: 'BAD_REQUEST', detail: `The target * is only for OPTIONS, not ${method}.` };
  }
  if (!ABSOLUTE_FORM.test(url)) {
    return {
      code: 'BAD_REQUEST',
      detail: 'A request target is a path (/hello) or a URL (http://host/hello); * is for OPTIONS.',
    };
  }
  if (!HTTP_SCHEME.test(url)) {
    return {
      code: 'BAD_REQUEST',
      detail: 'A request target URL is http:// or https://; no other scheme is served here.',
    };
  }
  return absoluteFormProblem(url);
}

/** targetProblem's rules for an http(s) absolute-form target's authority. */
function absoluteFormProblem(url: string): TargetProblem | undefined {
  const start = url.indexOf('://') + 3;
  const end = authorityEnd(url, start);
  if (url.lastIndexOf('@', end - 1) >= start) {
    return {
      code: 'BAD_REQUEST',
      detail: 'A request target carries no userinfo (user@ before the host).',
    };
  }
  // The router parses the whole target (a path or query never fails the parse), and so does this:
  // one parser, one verdict. Its host is never empty for http(s), but `http:///x` reads as host x.
  if (end === start || URL.parse(url) === null) {
    return {
      code: 'MALFORMED_URL',
      detail:
        'A request target URL names a host, and a port up to 65535 if any (http://host:8080/).',
    };
  }
  return undefined;
}
