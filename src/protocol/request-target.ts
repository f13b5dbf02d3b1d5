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
 * Why a target that is not plain origin-form is refused, or undefined. Called only for a target
 * that does not start with `/` or that holds a `#`, and not for `*` (answered on its own), so the
 * common request pays nothing here.
 * - a fragment: RFC 9112 §3.2 gives the request-target none (a client keeps it to itself), and
 *   the router read `/hello#x` as `/hello`;
 * - neither a path nor a URL (`*hello`): no form of RFC 9112 §3.2 (the authority-form is
 *   CONNECT's, which never gets here). llhttp passes a target starting with `*`, and the router
 *   read `*hello` as `/`: 404 "Cannot GET *hello", or 405 with `/`'s methods;
 * - userinfo in an absolute-form target (`http://user:pass@host/`): RFC 9110 §4.2.4 says a
 *   recipient should treat it as an error; it was served as if absent.
 */
export function targetProblem(url: string): string | undefined {
  if (url.indexOf('#') !== -1) return 'A request target carries no fragment (a part from #).';
  if (url.charCodeAt(0) === SLASH) return undefined;
  if (!ABSOLUTE_FORM.test(url)) {
    return 'A request target is a path (/hello) or a URL (http://host/hello); * is for OPTIONS.';
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
