/**
 * Where a JSON text repeats a key within one object, which JSON.parse answers silently with the
 * last value (ECMA-262 JSON.parse): `{"errorRate":0.5,"errorRate":0}` is 0 to rampart and may be
 * 0.5 to a proxy or a log reader in front of it. RFC 8259 §4 says names SHOULD be unique, I-JSON
 * (RFC 7493 §2.3) MUST; an ambiguous body is refused, not guessed at.
 *
 * Two steps, so a body without a repeat pays a walk of its value, not of its text:
 * 1. the keys the text writes (`keysInText`, counted by the json.shape.ts scan the body parser
 *    makes of every body) against the own keys of the value JSON.parse made of it: a repeat leaves one key
 *    fewer in the value, so equal counts prove there is none;
 * 2. only when they differ, the text is walked, keys decoded, to name the repeat. The counts also
 *    differ when the parser dropped a key (secure-json-parse's `remove` action); the walk then
 *    finds no repeat and the body stands.
 * Cost against walking the text every time: json.duplicate-keys.bench.ts.
 */
export function duplicateKeyPointer(
  text: string,
  value: unknown,
  keysInText: number,
): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (keysInText === 0) return undefined;
  // `for…in` also visits inherited enumerable keys, which would make up for a repeat in the
  // count; a clean Object.prototype (JSON.parse's objects inherit from nothing else) has none.
  if (prototypeClean() && keysInText === ownKeys(value)) return undefined;
  return firstRepeatedKey(text);
}

function prototypeClean(): boolean {
  for (const _ in Object.prototype) return false;
  return true;
}

/**
 * Keys in every object of the value: `for…in` walks V8's enumeration cache without making the
 * array Object.keys would (6 µs against 15 µs on 16 KiB of small objects). The depth is bounded
 * by json.shape.ts, which ran first.
 */
function ownKeys(value: object): number {
  let keys = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (typeof element === 'object' && element !== null) keys += ownKeys(element);
    }
    return keys;
  }
  for (const key in value) {
    keys++;
    const member: unknown = (value as Record<string, unknown>)[key];
    if (typeof member === 'object' && member !== null) keys += ownKeys(member);
  }
  return keys;
}

/** One open container: an object's keys so far and its current key, or an array's index. */
interface Frame {
  keys: Set<string> | undefined;
  segment: string;
  index: number;
}

/**
 * The JSON pointer (RFC 6901) of the first key an object repeats, comparing keys decoded
 * (`"a"` and `"\u0061"` are one key). `text` is valid JSON: JSON.parse took it.
 */
export function firstRepeatedKey(text: string): string | undefined {
  const open: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const frame = open[open.length - 1];
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (expectKey && frame?.keys) {
        // Only a key with an escape needs decoding; JSON.parse does it exactly.
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        frame.segment = key;
        if (frame.keys.has(key)) return pointer(open);
        frame.keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (code === OPEN_OBJECT) {
      open.push({ keys: new Set(), segment: '', index: 0 });
      expectKey = true;
    } else if (code === OPEN_ARRAY) {
      open.push({ keys: undefined, segment: '0', index: 0 });
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      open.pop();
      expectKey = false;
    } else if (code === COMMA && frame) {
      if (frame.keys) expectKey = true;
      else frame.segment = String(++frame.index);
    }
  }
  return undefined;
}

/** RFC 6901 §3: `~` is written `~0` and `/` `~1`; the empty key is the empty segment. */
function pointer(open: readonly Frame[]): string {
  let path = '';
  for (const { segment } of open) path += `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  return path;
}

/**
 * Index of the quote closing the string opened at `quote`: one not escaped by a backslash (the
 * text's length if there is none, which JSON.parse would have refused).
 */
function stringEnd(text: string, quote: number): number {
  let end = text.indexOf('"', quote + 1);
  for (;;) {
    if (end === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
