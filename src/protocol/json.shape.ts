/**
 * The deepest nesting of arrays and objects a body may have. No body the API reads comes close;
 * V8's JSON.parse takes any depth, but JSON.stringify and every other recursive walk of the value
 * (an echo, a forwarded body) runs out of stack near 4,500 levels: a 500.
 */
export const MAX_JSON_DEPTH = 256;
/**
 * The most members one object may have. An object with many distinct keys is the costliest JSON
 * V8 parses: 1 MB of `{"k0":0,"k1":0,…}` (90,000 keys) took 51 ms where 1 MB of small objects
 * took 7.5 ms and one 1 MB string 3.3 ms, and a strict schema then names each key (another
 * 33-80 ms): a body limit's worth of it held the loop 0.2 s a request. No body the API reads
 * has more than a few dozen.
 */
export const MAX_OBJECT_MEMBERS = 10_000;

/** What one scan of a JSON text found: whether it is too costly, and how many keys it writes. */
export interface JsonShape {
  /** Why the text is too costly to parse or to walk, or undefined. */
  problem: string | undefined;
  /**
   * Members of all its objects (colons outside strings), repeated keys each counted: what
   * json.duplicate-keys.ts compares with the parsed value. Partial when there is a problem.
   */
  keys: number;
}

/**
 * Why `text` is JSON too costly to parse or to walk (nested deeper than MAX_JSON_DEPTH, or an
 * object with more than MAX_OBJECT_MEMBERS members), or undefined. Text no longer than the depth
 * limit can break neither rule, so a short text is not scanned.
 */
export function jsonShapeProblem(text: string): string | undefined {
  return text.length <= MAX_JSON_DEPTH ? undefined : jsonShape(text).problem;
}

/**
 * One scan of the text, not of the parsed value: parsing is the cost being avoided, and walking
 * the value would itself recurse. Brackets and colons inside strings do not count. The request
 * body parser scans every body, short ones too, for the key count.
 */
export function jsonShape(text: string): JsonShape {
  // Members of the container open at each depth: a colon outside strings is a member of the
  // innermost container, which is then an object. Text no longer than the depth limit can break
  // neither rule: it is only counted, without the array (its allocation costs more than a short
  // body's scan).
  const members = text.length > MAX_JSON_DEPTH ? new Uint16Array(MAX_JSON_DEPTH + 1) : undefined;
  let depth = 0;
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      // A string: on to its closing quote by indexOf, native, instead of a character at a time
      // (a 16 KiB body of long strings: ~24 µs a character at a time, several times JSON.parse's
      // own time; json.duplicate-keys.bench.ts).
      i = closingQuote(text, i);
      if (i === -1) break; // unterminated: JSON.parse refuses it
    } else if (code === 0x3a) {
      keys++;
      if (members && ++members[depth]! > MAX_OBJECT_MEMBERS)
        return {
          problem: `An object in the JSON has more than ${MAX_OBJECT_MEMBERS} members.`,
          keys,
        };
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > MAX_JSON_DEPTH)
        return { problem: `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`, keys };
      if (members) members[depth] = 0;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return { problem: undefined, keys };
}

/** The index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  // A quote after an odd run of backslashes is escaped. Each run is counted once, before the
  // one quote that follows it: linear in the text however the backslashes are laid out.
  while (at !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return -1;
}
