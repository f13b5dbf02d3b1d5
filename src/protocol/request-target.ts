const SLASH = 0x2f;

/**
 * The request target in origin-form (RFC 9112 §3.2.1): an absolute-form target
 * (`http://host/path?q`, which a server must accept, §3.2.2) without its scheme and authority,
 * as the router reads it (find-my-way: a query that ends the authority leaves the path `/`).
 * Other targets come back as sent. What a redirect may build on: the authority is the client's
 * word, and a `Location` that carries it sends the client to another host.
 */
export function originForm(url: string): string {
  if (url.charCodeAt(0) === SLASH) return url;
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  const end = authorityEnd(url, scheme + 3);
  return url.charCodeAt(end) === SLASH ? url.slice(end) : `/${url.slice(end)}`;
}

/**
 * An absolute-form target's start: a scheme (RFC 3986 §3.1) and the `//` of an authority. The
 * probe thread gets it as workerData (health/probe.server.ts).
 */
export const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * The schemes an absolute-form target may name here, in any case (RFC 3986 §3.1): an origin
 * server's resources are `http` and `https` URIs (RFC 9110 §4.2); a URL of another scheme is a
 * proxy's business (RFC 9112 §3.2.2). The probe thread gets it as workerData.
 */
export const HTTP_SCHEME = /^https?:\/\//i;

/**
 * Fastify's `rewriteUrl` for the public listener: an http(s) absolute-form target whose path is
 * empty (`http://host?q`, `http://host`) in origin-form, `/?q`, `/`; any other target as sent.
 * RFC 9112 §3.2.2 makes the absolute-form the whole absolute-URI, whose path may be empty and whose
 * query may hold a `/`, and RFC 9110 §4.2.3 reads an empty path as `/`: `GET http://x?a/hello` asks
 * for `/` with the query `a/hello`. The router reads it so, but Nest's adapter takes a `/` after the
 * `?` for the path's start (it guards older routers that routed this as `/hello`) and sends the
 * request to its not-found handler: 404 "Cannot GET", with `instance` cut to `http://x`. A target
 * the protocol checks refuse (userinfo, fragment, no host) is left as sent for them to refuse. A
 * plain path pays one comparison.
 */
export function withEmptyPathAsSlash(url: string): string {
  if (url.charCodeAt(0) === SLASH || !HTTP_SCHEME.test(url)) return url;
  const start = url.indexOf('://') + 3;
  const end = authorityEnd(url, start);
  if (url.charCodeAt(end) === SLASH || end === start || url.indexOf('#') !== -1) return url;
  return url.lastIndexOf('@', end) < start ? `/${url.slice(end)}` : url;
}

/**
 * Why a target that is not plain origin-form is refused, or undefined. Called only for a target
 * that does not start with `/` or that holds a `#`, and not for `*` (answered on its own), so the
 * common request pays nothing here.
 * - a fragment: RFC 9112 §3.2 gives the request-target none (a client keeps it to itself), and
 *   the router read `/hello#x` as `/hello`;
 * - neither a path nor a URL (`*hello`): no form of RFC 9112 §3.2 (the authority-form is
 *   CONNECT's, which never gets here). llhttp passes a target starting with `*`, and the router
 *   read `*hello` as `/`: 404 "Cannot GET *hello", or 405 with `/`'s methods;
 * - a URL of a scheme other than http or https (`ftp://x/hello`): nothing here serves one
 *   (HTTP_SCHEME); the router matched no route and it was 404, whatever the method;
 * - userinfo in an absolute-form target (`http://user:pass@host/`): RFC 9110 §4.2.4 says a
 *   recipient should treat it as an error; it was served as if absent.
 */
export function targetProblem(url: string): string | undefined {
  if (url.indexOf('#') !== -1) return 'A request target carries no fragment (a part from #).';
  if (url.charCodeAt(0) === SLASH) return undefined;
  if (!ABSOLUTE_FORM.test(url)) {
    return 'A request target is a path (/hello) or a URL (http://host/hello); * is for OPTIONS.';
  }
  if (!HTTP_SCHEME.test(url)) {
    return 'A request target URL is http:// or https://; no other scheme is served here.';
  }
  const scheme = url.indexOf('://');
  const authority = url.slice(scheme + 3, authorityEnd(url, scheme + 3));
  return authority.indexOf('@') === -1
    ? undefined
    : 'A request target carries no userinfo (user@ before the host).';
}

/** Where the authority starting at `start` ends: at its path, its query or the target's end. */
function authorityEnd(url: string, start: number): number {
  const slash = url.indexOf('/', start);
  const query = url.indexOf('?', start);
  if (slash === -1) return query === -1 ? url.length : query;
  return query === -1 || slash < query ? slash : query;
}
