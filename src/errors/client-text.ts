// Imports nothing: the probe thread loads this file into a module graph of its own
// (CLIENT_TEXT_MODULE), where nothing of rampart's is loaded and, under the tests, Node reads the
// .ts itself, stripping its types.

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

/** Longest field name, message or request target an answer repeats: each is the client's own text. */
const LONGEST_TEXT = 200;

/**
 * The client's own text cut to LONGEST_TEXT characters, for a problem's `detail`: a 16 KB path
 * came back twice in a 404 (its `instance` has it whole), and 120,000 unknown keys made a 7.4 MB
 * 400 (http.errors.ts).
 */
export const cut = (text: string): string =>
  text.length <= LONGEST_TEXT ? text : `${text.slice(0, LONGEST_TEXT)}…`;

/** Longest framework message a 4xx's `detail` repeats: Fastify's and Nest's may name the target. */
const LONGEST_MESSAGE = 500;

/**
 * A framework's 4xx message as a problem's `detail` (errors/problem.ts): its first line, never a
 * stack, or `title` (the status's own text) when it is empty or LONGEST_MESSAGE characters or
 * more. The router's `'<target>' is not a valid url component` names the target whole; the probe
 * thread words its own malformed target so, and bounds it by this same rule.
 */
export function frameworkDetail(message: unknown, title: string): string {
  if (typeof message === 'string' && message.length > 0 && message.length < LONGEST_MESSAGE) {
    return message.split('\n')[0] as string;
  }
  return title;
}
