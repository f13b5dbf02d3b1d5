// Imports target-form.ts alone, by its .ts name (tsc rewrites it to .js): the probe thread loads
// this file into a module graph of its own (CLIENT_TEXT_MODULE), where nothing else of rampart's
// is loaded and, under the tests, Node reads the .ts itself, stripping its types and mapping no
// .js name to a .ts file.
import { originForm } from './target-form.ts';

/**
 * Where a thread of its own imports this module from (health/probe.worker.ts, whose 404 and
 * malformed-target 400 bound the target in their detail as the public port's do): this file under
 * tsc's output and in the sources the tests run, and in the bundle, where this code sits in a
 * shared chunk, the entry scripts/bundle.mjs makes of it beside that chunk (a chunk's exports are
 * named as esbuild pleases).
 */
export const CLIENT_TEXT_MODULE = new URL(
  `./client-text${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`,
  import.meta.url,
).href;

/**
 * Longest client text an answer repeats: a field name, message, request target, header value or
 * method. One rule for every answer, so no port or parser repeats more of it than another.
 */
export const LONGEST_TEXT = 200;

/**
 * The method a problem's detail names: a HEAD's is GET's. A HEAD is answered with the header
 * fields its GET would get (RFC 9110 §9.3.2), and a Content-Length there must be the length of
 * GET's content (§8.6: MUST NOT otherwise); naming HEAD, each 404, 405 and `*` 400 announced one
 * byte more than GET's. Nobody reads that content; the access line names the method as sent.
 */
export const methodNamed = (method: string): string => (method === 'HEAD' ? 'GET' : method);

// With the `u` flag a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

/**
 * The client's own text cut to LONGEST_TEXT characters, for a problem's `detail`: a 16 KB path
 * came back twice in a 404 (its `instance` has it whole), and 120,000 unknown keys made a 7.4 MB
 * 400 (http.errors.ts). The answer stays text (I-JSON, RFC 7493 §2.1), which a strict client's
 * JSON parser (Rust's serde_json) needs to read it at all:
 * - the cut never falls between the two halves of a surrogate pair: an emoji across the 200th
 *   character left its first half alone, `\ud83d`;
 * - an unpaired half the client sent (a key `"\ud800"`) is shown as the six characters of the
 *   escape it wrote: kept as itself, it went back as that escape, a lone half in the answer.
 */
export const cut = (text: string): string => {
  let shown = text;
  if (text.length > LONGEST_TEXT) {
    const end = splitsPair(text, LONGEST_TEXT) ? LONGEST_TEXT - 1 : LONGEST_TEXT;
    shown = `${text.slice(0, end)}…`;
  }
  return shown.replace(LONE_SURROGATE, escapeHalf);
};

function escapeHalf(half: string): string {
  return `\\u${half.charCodeAt(0).toString(16)}`;
}

/** Whether `text` has a surrogate pair whose halves sit either side of index `at`. */
function splitsPair(text: string, at: number): boolean {
  const high = text.charCodeAt(at - 1);
  const low = text.charCodeAt(at);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/**
 * A framework's 4xx message as a problem's `detail` (errors/problem.ts): its first line, never a
 * stack, cut as the client's own text is, or `title` (the status's own text) when that line is
 * empty. Fastify's and Nest's messages may name what the client sent (the router's
 * `'<target>' is not a valid url component` names the target whole): kept whole below 500
 * characters, as it was, it repeated up to 469 of a target where a 404 repeats 200. The probe
 * thread words its own malformed target so, and bounds it by this same rule.
 */
export function frameworkDetail(message: unknown, title: string): string {
  const line = typeof message === 'string' ? message.split('\n', 1)[0] : undefined;
  return line ? cut(line) : title;
}

/**
 * A request target's path as the client sent it (escapes as written), for a problem's
 * `instance`: no query or fragment, and for an absolute-form target (RFC 9112 §3.2.2) no scheme
 * or authority, `/` when its path is empty (RFC 9110 §4.2.3). Named whole,
 * `GET http://user:pass@host/x` gave the password back in its 400, on every port. The path of
 * originForm's target (target-form.ts, which the router's reading in protocol/ calls too), so the
 * two cannot find different paths; the server span's `url.path` is this too. A target in no form
 * (`*hello`) comes back as sent, less its query. `target` itself when nothing is cut.
 */
export function pathAsSent(target: string): string {
  const form = originForm(target);
  const query = form.indexOf('?');
  const fragment = form.indexOf('#');
  const end = query === -1 || (fragment !== -1 && fragment < query) ? fragment : query;
  return end === -1 ? form : form.slice(0, end);
}
