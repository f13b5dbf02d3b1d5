// Imports nothing: the probe thread loads this file, through errors/client-text.ts and
// protocol/request-target.ts, into a module graph of its own where, under the tests, Node reads
// the .ts itself, stripping its types. Those two import it by its .ts name, which tsc rewrites to
// .js (rewriteRelativeImportExtensions): Node's loader maps no .js to a .ts.

const SLASH = 0x2f;

/**
 * Where a thread of its own imports this module from (health/probe.worker.ts, which reads a
 * target's origin-form with originForm, not a copy of it): this file under tsc's output and in
 * the sources the tests run, and in the bundle, where this code sits in a shared chunk, the entry
 * scripts/bundle.mjs makes of it beside that chunk (a chunk's exports are named as esbuild pleases).
 */
export const TARGET_FORM_MODULE = new URL(
  `./target-form${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`,
  import.meta.url,
).href;

/**
 * The request target in origin-form (RFC 9112 §3.2.1): an absolute-form target
 * (`http://host/path?q`, which a server must accept, §3.2.2) without its scheme and authority,
 * as the router reads it (find-my-way: a query that ends the authority leaves the path `/`).
 * Other targets come back as sent. What a redirect may build on: the authority is the client's
 * word, and a `Location` that carries it sends the client to another host. Here, below
 * protocol/, so that a problem's `instance` (client-text.ts's pathAsSent) reads the path by the
 * same scan rather than a copy of it.
 */
export function originForm(url: string): string {
  if (url.charCodeAt(0) === SLASH) return url;
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  const end = authorityEnd(url, scheme + 3);
  return url.charCodeAt(end) === SLASH ? url.slice(end) : `/${url.slice(end)}`;
}

/**
 * An absolute-form target's authority (host[:port]) without its userinfo, or undefined for a
 * target in another form: what RFC 9112 §3.2.2 has an origin server read in place of the Host
 * header (the server span's `server.address`, telemetry/server-span.attributes.ts). As loose as
 * originForm: a target the protocol checks refuse gives what it holds.
 */
export function targetAuthority(url: string): string | undefined {
  if (url.charCodeAt(0) === SLASH) return undefined;
  const scheme = url.indexOf('://');
  if (scheme === -1) return undefined;
  const start = scheme + 3;
  const end = authorityEnd(url, start);
  const at = url.lastIndexOf('@', end - 1);
  return url.slice(at >= start ? at + 1 : start, end);
}

/**
 * Where the authority starting at `start` ends: at its path, its query, its fragment or the
 * target's end (RFC 3986 §3.2). A target with a fragment is refused (request-target.ts's
 * targetProblem), but its `instance` and span are still named: `http://host#x/y` has the path `/`.
 */
export function authorityEnd(url: string, start: number): number {
  const slash = url.indexOf('/', start);
  const query = url.indexOf('?', start);
  const fragment = url.indexOf('#', start);
  let end = slash === -1 ? url.length : slash;
  if (query !== -1 && query < end) end = query;
  return fragment !== -1 && fragment < end ? fragment : end;
}
