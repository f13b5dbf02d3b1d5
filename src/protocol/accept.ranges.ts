/** One media range of an `Accept` field (RFC 9110 §12.5.1), as acceptRanges reads it. */
export interface MediaRange {
  /** Lower-cased; `*` in `*\/*`. */
  type: string;
  /** Lower-cased; `*` in `*\/*` and `type/*`. */
  subtype: string;
  /** Its parameters other than q, in order: names lower-cased, quoted values unquoted. */
  parameters: ReadonlyArray<readonly [name: string, value: string]>;
  /** Its q, 1 when absent. */
  weight: number;
}

/** A type a server can answer with: type and subtype lower-cased, with its parameters. */
export interface MediaType {
  type: string;
  subtype: string;
  /** Names lower-cased, values as sent in Content-Type. */
  parameters: ReadonlyMap<string, string>;
}

// RFC 9110 §5.6.2 (token), §5.6.4 (quoted-string), §8.3.1 (type "/" subtype, name=value),
// §12.4.2 (qvalue: 0 to 1, three decimals at most). Each is matched against one part of the
// field, cut at its commas and semicolons first: no pattern has a repetition to backtrack over.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t !#-\\[\\]-~\\x80-\\xff]|\\\\[\\t -~\\x80-\\xff])*"';
const TYPE = new RegExp(`^(${TOKEN})/(${TOKEN})$`);
const PARAMETER = new RegExp(`^(${TOKEN})=(${TOKEN}|${QUOTED})$`);
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The media ranges of an `Accept` field, in order. A range that breaks the grammar is left out,
 * as if not sent: no type or subtype (`text`, `text/`), `*` for a type with a subtype (`*\/html`),
 * a parameter that is no `name=value`, or a q that is no qvalue (`q=1.5`, `q=abc`, `q=.5`,
 * `q=0.5000`). Read loosely, `q=7` weighed 1 and `q=abc` 0: a client's typo picked the answer.
 * Left out rather than answered 400: RFC 9110 §12.5.1 lets a server disregard Accept, and the
 * rest of the field still says what the client wants. Parameters after q (RFC 7231's accept-ext,
 * gone from RFC 9110) are ignored. Commas inside a quoted value do not end a range.
 */
export function acceptRanges(field: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const element of split(field, ',')) {
    const range = mediaRange(split(element, ';'));
    if (range !== undefined) ranges.push(range);
  }
  return ranges;
}

/**
 * The weight `ranges` give `media` (RFC 9110 §12.5.1): that of the most specific range matching
 * it, a type over its `type/*`, which is over `*\/*`, and a range with parameters over the same
 * without (`text/html;charset=utf-8;q=0.2, text/html` weighs a UTF-8 page 0.2); of equally
 * specific ones the first. A range with parameters matches only a type that has each of them, the
 * charset in any case (§8.3.2): `text/html;level=1` is no plain page. 0 when no range matches;
 * `range` is the one that decided.
 */
export function preference(
  ranges: readonly MediaRange[],
  media: MediaType,
): { weight: number; range: MediaRange | undefined } {
  let best: MediaRange | undefined;
  for (const range of ranges) {
    if (!matches(range, media)) continue;
    if (best === undefined || specificity(range) > specificity(best)) best = range;
  }
  return { weight: best?.weight ?? 0, range: best };
}

/**
 * How specific a range is: `*\/*` 0, `type/*` 256, `type/subtype` 512, and one more for each
 * parameter (a field of 256 parameters is past any header size limit here).
 */
export function specificity(range: MediaRange): number {
  const level = range.type === '*' ? 0 : range.subtype === '*' ? 256 : 512;
  return level + range.parameters.length;
}

function matches(range: MediaRange, media: MediaType): boolean {
  if (range.type !== '*' && range.type !== media.type) return false;
  if (range.subtype !== '*' && range.subtype !== media.subtype) return false;
  for (const [name, value] of range.parameters) {
    const own = media.parameters.get(name);
    if (own === undefined) return false;
    if (name === 'charset' ? own.toLowerCase() !== value.toLowerCase() : own !== value) {
      return false;
    }
  }
  return true;
}

/** A range from its parts (`type/subtype`, then each parameter); undefined for one that is none. */
function mediaRange([media, ...rest]: string[]): MediaRange | undefined {
  const match = TYPE.exec(media!);
  if (match === null) return undefined;
  const type = match[1]!.toLowerCase();
  const subtype = match[2]!.toLowerCase();
  if (type === '*' && subtype !== '*') return undefined;
  const parameters: Array<readonly [string, string]> = [];
  for (const part of rest) {
    // `parameters = *( OWS ";" OWS [ parameter ] )`: an empty one is allowed.
    if (part === '') continue;
    const parameter = PARAMETER.exec(part);
    if (parameter === null) return undefined;
    const name = parameter[1]!.toLowerCase();
    const value = parameter[2]!;
    if (name !== 'q') {
      parameters.push([name, unquote(value)]);
      continue;
    }
    if (!QVALUE.test(value)) return undefined;
    return { type, subtype, parameters, weight: Number(value) };
  }
  return { type, subtype, parameters, weight: 1 };
}

/**
 * `text` cut at each `separator` outside a quoted string, each part without the spaces and tabs
 * (OWS) around it: a list's elements (RFC 9110 §5.6.1) or a range's parameters.
 */
function split(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === separator) {
      parts.push(withoutOws(text.slice(start, i)));
      start = i + 1;
    }
  }
  parts.push(withoutOws(text.slice(start)));
  return parts;
}

/** `text` without the spaces and tabs around it (OWS); `trim()` takes more than OWS. */
function withoutOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isOws(text.charCodeAt(start))) start++;
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

const isOws = (c: number): boolean => c === 0x20 || c === 0x09;

/** A parameter value without its quotes and quoted-pairs (RFC 9110 §5.6.4). */
function unquote(value: string): string {
  return value.charCodeAt(0) === 0x22 ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}
