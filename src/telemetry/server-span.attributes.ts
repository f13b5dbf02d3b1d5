import type { FastifyRequest } from 'fastify';
import { OTHER_METHOD } from '../config/known-methods.field.js';
import { pathAsSent } from '../errors/client-text.js';
import { targetAuthority } from '../errors/target-form.js';
import { clientAddress } from '../protocol/client-address.js';
import { clientText } from './client-text.js';

/** The attributes rampart records at a server span's start, each with a value. */
export type RequestAttributes = Record<string, string | number>;

/**
 * The HTTP server span attributes the semantic conventions require or recommend, and no more:
 * every attribute is validated, stored and encoded per sampled request, and built only for a
 * span that records (opentelemetry.io/docs/specs/semconv/http/http-spans/#http-server). Left
 * out: the opt-in ones (client.port, network.local.*, network.transport, header and body-size
 * attributes), and network.protocol.name, required only when it is not `http`.
 */
export function requestAttributes(
  request: FastifyRequest,
  knownMethod: boolean,
  route: string | undefined,
  limit: number,
): RequestAttributes {
  const userAgent = request.headers['user-agent'];
  // A trusted proxy's X-Forwarded-Proto, taken as written by Fastify: only the two schemes a
  // client can have used are recorded.
  const scheme = request.protocol === 'https' ? 'https' : 'http';
  const authority = requestAuthority(request);
  const colon = portColon(authority);
  const address = serverAddress(authority, colon);
  // The attributes every request has, then each other one only when it has a value: the span
  // takes this object as its own (server.span.ts), with nothing to leave out.
  const attributes: RequestAttributes = {
    'http.request.method': knownMethod ? request.method : OTHER_METHOD,
    'url.path': urlPath(request.url, limit),
    'url.scheme': scheme,
    'network.protocol.version': request.raw.httpVersion,
  };
  // Set if and only if it differs from http.request.method.
  if (!knownMethod) attributes['http.request.method_original'] = clientText(request.method, limit);
  if (route !== undefined) attributes['http.route'] = route;
  const query = urlQuery(request.url, limit);
  if (query !== undefined) attributes['url.query'] = query;
  if (address !== '') {
    attributes['server.address'] = clientText(address, limit, address === request.headers.host);
    const port = serverPort(authority, colon, scheme);
    if (port !== undefined) attributes['server.port'] = port;
  }
  // The original client as TRUST_PROXY resolves it (protocol/client-address.ts); the peer is the
  // socket's other end, the ingress controller when there is one.
  const client = clientAddress(request);
  if (client !== undefined) attributes['client.address'] = client;
  const { remoteAddress, remotePort } = request.socket;
  if (remoteAddress !== undefined) attributes['network.peer.address'] = remoteAddress;
  if (remotePort !== undefined) attributes['network.peer.port'] = remotePort;
  if (userAgent !== undefined) attributes['user_agent.original'] = clientText(userAgent, limit);
  return attributes;
}

/**
 * The host[:port] the client asked for, as HTTP semconv's "Setting server.address and
 * server.port" orders the sources: a trusted proxy's X-Forwarded-Host (TRUST_PROXY; Fastify's
 * `request.host` reads it only from a trusted peer), then the request's own: an absolute-form
 * target's authority, which RFC 9112 §3.2.2 has a server take over the Host header, or else the
 * Host header. Never the listener's address: behind a Service that is a pod IP no client named.
 * Empty when the request names none (HTTP/1.0 without Host).
 */
function requestAuthority(request: FastifyRequest): string {
  const host = request.host;
  if (host !== (request.headers.host ?? '')) return host;
  return targetAuthority(request.url) ?? host;
}

/** Where the port's colon is in `authority`, or -1: an IPv6 literal's colons are in brackets. */
function portColon(authority: string): number {
  const colon = authority.lastIndexOf(':');
  return colon > authority.lastIndexOf(']') ? colon : -1;
}

/** `server.address`: the authority's host, an IPv6 literal without its brackets (`::1`). */
function serverAddress(authority: string, colon: number): string {
  const host = colon === -1 ? authority : authority.slice(0, colon);
  const bracketed = host.charCodeAt(0) === 0x5b && host.charCodeAt(host.length - 1) === 0x5d;
  return bracketed ? host.slice(1, -1) : host;
}

/**
 * `server.port`: the authority's port, or the scheme's when it names none (RFC 9110 §4.2.1,
 * §4.2.2); undefined when what follows the colon is no port (a Host the protocol checks refuse).
 * Read digit by digit: no cut string, expression or number parse for every sampled request.
 */
function serverPort(
  authority: string,
  colon: number,
  scheme: 'http' | 'https',
): number | undefined {
  const end = authority.length;
  if (colon === -1 || colon === end - 1) return scheme === 'https' ? 443 : 80;
  if (end - colon - 1 > 5) return undefined;
  let port = 0;
  for (let at = colon + 1; at < end; at++) {
    const digit = authority.charCodeAt(at) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    port = port * 10 + digit;
  }
  return port <= 65535 ? port : undefined;
}

/**
 * `url.path`: the target's path and nothing else (HTTP semconv), in a string of its own
 * (client-text.ts: a cut of a longer string keeps all of it alive as long as the span). An
 * absolute-form target (`GET http://user:pass@host/hello`, refused 400 but a request with a
 * span all the same) gave its scheme, host and userinfo, password included, to the trace
 * backend and the open /debug/tracez page; a fragment (`#access_token=…`, refused too) is no
 * part of the path either.
 */
export function urlPath(url: string, limit: number): string {
  const path = pathAsSent(url);
  return clientText(path, limit, path === url);
}

/**
 * The query keys whose values HTTP semconv has redacted by default (`url.query`'s note:
 * signed-URL signatures and keys), and RFC 6750 §2.3's bearer token in a query, lower-cased: a
 * key is matched in any case once percent-decoded, as a service that reads it may (`SIGNATURE`,
 * `%73ig`). Matched raw and case-sensitive, those values reached the trace backend whole.
 */
const SECRET_KEYS = new Set([
  'awsaccesskeyid',
  'signature',
  'sig',
  'x-goog-signature',
  'access_token',
]);
const LONGEST_SECRET_KEY = 16;

/**
 * `url.query`, when the target has one (an empty one included: it was sent), raw as sent, the
 * values of SECRET_KEYS' keys replaced by `REDACTED` with the key kept as sent (HTTP semconv),
 * then cut to the value limit in a string of its own: redacted first, so no cut leaves a secret's
 * start. Ends at a fragment, which is no part of the query.
 */
export function urlQuery(url: string, limit: number): string | undefined {
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  const fragment = url.indexOf('#');
  if (fragment !== -1 && fragment < query) return undefined;
  const text = url.slice(query + 1, fragment === -1 ? undefined : fragment);
  return clientText(withSecretsRedacted(text), limit, false);
}

/** `query` with each non-empty value of a secret key (isSecretKey) replaced by `REDACTED`. */
function withSecretsRedacted(query: string): string {
  let redacted = '';
  let kept = 0;
  // The next `=`, looked for again only once passed: looked for from each pair, a query of many
  // pairs without one (`a&a&…&a=1`) took time quadratic in its length.
  let eq = query.indexOf('=');
  for (let start = 0; start <= query.length;) {
    const amp = query.indexOf('&', start);
    const end = amp === -1 ? query.length : amp;
    if (eq !== -1 && eq < start) eq = query.indexOf('=', start);
    if (eq !== -1 && eq + 1 < end && isSecretKey(query.slice(start, eq))) {
      redacted += `${query.slice(kept, eq + 1)}REDACTED`;
      kept = end;
    }
    start = end + 1;
  }
  return kept === 0 ? query : redacted + query.slice(kept);
}

/**
 * Whether `key` names a secret, percent-decoded (RFC 3986 §2.1) and in any case. A key that does
 * not decode (`%zz`, a broken UTF-8 sequence) is taken for one: what a lenient parser makes of
 * it cannot be known here.
 */
function isSecretKey(key: string): boolean {
  let name = key;
  if (key.includes('%')) {
    try {
      name = decodeURIComponent(key);
    } catch {
      return true;
    }
  }
  return name.length <= LONGEST_SECRET_KEY && SECRET_KEYS.has(name.toLowerCase());
}
