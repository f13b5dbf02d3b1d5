import secureJson from 'secure-json-parse';
import { duplicateKeyPointer } from './json.duplicate-keys.js';
import { jsonShape } from './json.shape.js';

/** What rampart makes of a JSON text: its value, or the kind of problem that refuses it. */
export type StrictJsonReading =
  | { kind: 'value'; value: unknown }
  /** Too costly to parse or to walk (json.shape.ts); `detail` says which limit. */
  | { kind: 'too-costly'; detail: string }
  /** Not JSON; `detail` is the parser's message. */
  | { kind: 'not-json'; detail: string }
  /** Prototype poisoning: the first such key JSON.parse met; `detail` is the parser's message. */
  | { kind: 'forbidden-key'; key: '__proto__' | 'constructor'; detail: string }
  /** A key repeated within one object, at this JSON pointer (json.duplicate-keys.ts). */
  | { kind: 'repeated-key'; pointer: string };

/** What to do with a prototype-poisoning key (secure-json-parse's actions, Fastify's options). */
export interface PoisoningActions {
  protoAction: 'error' | 'remove' | 'ignore';
  constructorAction: 'error' | 'remove' | 'ignore';
}

/**
 * Told of each value of the one parse as JSON.parse makes it (a reviver that changes nothing):
 * the object or array holding it, its key there (`''` for the whole text), and for a primitive
 * its literal as written (JSON.parse source text access). A caller that needs more than the
 * value (each number's literal) learns it from the parse that reads the value, not from a
 * second one.
 */
export type JsonValueObserver = (
  holder: Record<string, unknown>,
  key: string,
  value: unknown,
  literal: string | undefined,
) => void;

const REFUSE_POISONING: PoisoningActions = { protoAction: 'error', constructorAction: 'error' };
const BYTE_ORDER_MARK = 0xfeff;

/**
 * Reads JSON by rampart's rules, the same for a request body (json.body-parser.ts) and for JSON
 * from elsewhere (a backend's answer, `parseStrictJson`). The steps, in order:
 * 1. JSON too costly to parse or walk is refused unparsed (json.shape.ts);
 * 2. the text is parsed by secure-json-parse (the parser and the checks Fastify's own JSON parser
 *    uses), which refuses a `__proto__` key, or a `constructor` one holding a `prototype`, unless
 *    `actions` say otherwise; that refusal is told apart from text that is not JSON;
 * 3. a key repeated within one object is refused: JSON.parse reads it as its last value where
 *    another reader may take the first (json.duplicate-keys.ts).
 * Each caller maps the kind to its own answer. `observe`, if given, sees every value of the
 * parse in step 2 (JsonValueObserver), whatever the reading then says.
 *
 * A `__proto__` key is no pollution inside this process (JSON.parse makes it an own property,
 * not the prototype), but a value holding one, sent on in an answer, is an `Object.assign` or a
 * deep merge away from polluting whichever client reads that answer.
 */
export function readStrictJson(
  text: string,
  actions: PoisoningActions = REFUSE_POISONING,
  observe?: JsonValueObserver,
): StrictJsonReading {
  const shape = jsonShape(text);
  if (shape.problem !== undefined) return { kind: 'too-costly', detail: shape.problem };
  let value: unknown;
  try {
    value = secureJson.parse(text, observe === undefined ? null : reviver(observe), actions);
  } catch (error) {
    return refusal(text, (error as Error).message);
  }
  const pointer = duplicateKeyPointer(text, value, shape.keys);
  if (pointer !== undefined) return { kind: 'repeated-key', pointer };
  return { kind: 'value', value };
}

/** JSON.parse's reviver for `observe`: called with the holder as `this`, it returns each value. */
function reviver(observe: JsonValueObserver) {
  return function (
    this: Record<string, unknown>,
    key: string,
    value: unknown,
    context?: { source?: string },
  ): unknown {
    observe(this, key, value, context?.source);
    return value;
  };
}

/**
 * secure-json-parse throws one SyntaxError for text that is not JSON and for JSON it refuses
 * for a poisoning key. JSON.parse tells them apart, its reviver seeing each key decoded
 * (`"\u005f_proto__"` too). It takes no byte order mark, which secure-json-parse skips (a body
 * with one is read: RFC 8259 §8.1 lets a parser ignore it), so one is skipped here too: a
 * poisoning key after it read as not JSON (MALFORMED_JSON) where the same body without it was
 * INVALID_INPUT naming the key.
 */
function refusal(text: string, detail: string): StrictJsonReading {
  let key: '__proto__' | 'constructor' = 'constructor';
  const json = withoutByteOrderMark(text);
  try {
    JSON.parse(json, (name, value: unknown) => {
      if (name === '__proto__') key = name;
      return value;
    });
  } catch {
    return { kind: 'not-json', detail };
  }
  return { kind: 'forbidden-key', key, detail };
}

/** What a JSON text is to rampart: its value, or why it is refused. */
export type StrictJson = { value: unknown } | { problem: string };

/**
 * `readStrictJson` for JSON that comes from elsewhere (a backend's answer), each refusal
 * said in one sentence. The value keeps each number as written (`NumbersAsWritten`), learnt in
 * the same parse.
 */
export function parseStrictJson(text: string): StrictJson {
  const numbers = new NumbersAsWritten();
  const reading = readStrictJson(text, REFUSE_POISONING, numbers.observe);
  switch (reading.kind) {
    case 'value':
      return { value: numbers.keptIn(reading.value) };
    case 'repeated-key':
      return { problem: `The JSON repeats the key at ${reading.pointer}.` };
    default:
      return { problem: reading.detail };
  }
}

/**
 * `text` without the byte order mark JSON.parse refuses and secure-json-parse skips (RFC 8259
 * §8.1 lets a parser ignore it), for JSON.parse of text secure-json-parse refused (`refusal`).
 */
function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
}

// JSON.parse source text access (ES2026; V8 11.4, in every Node this service runs on): not yet
// in TypeScript's lib.
declare global {
  interface JSON {
    rawJSON(text: string): unknown;
  }
}

/**
 * Each number whose literal JSON.parse does not print back, kept as that literal
 * (`JSON.rawJSON`), so serialising the value writes what was received. A backend's answer passed
 * on in a fan-out answer is read by a client checking what came through: POST /echo of
 * `{"id":9007199254740993}` showed the backend answering 9007199254740992, and 1e-400 as 0, when
 * it had echoed every byte. Numbers that print back (most) stay numbers.
 *
 * Noted while readStrictJson parses (`observe`), put in place once it has taken the text
 * (`keptIn`): its checks read the value JSON.parse made, and a raw literal, an object with a key
 * of its own, would count in its repeated-key check as a key the text does not have.
 */
class NumbersAsWritten {
  private readonly noted: Array<[holder: Record<string, unknown>, key: string, literal: string]> =
    [];

  readonly observe: JsonValueObserver = (holder, key, value, literal) => {
    if (typeof value === 'number' && literal !== undefined && String(value) !== literal)
      this.noted.push([holder, key, literal]);
  };

  /** `value`, the parse's, with the numbers noted replaced by their literals. */
  keptIn(value: unknown): unknown {
    // A bare number's holder is JSON.parse's own, which `value` is not in.
    if (typeof value === 'number') {
      const literal = this.noted[0]?.[2];
      return literal === undefined ? value : JSON.rawJSON(literal);
    }
    for (const [holder, key, literal] of this.noted) holder[key] = JSON.rawJSON(literal);
    return value;
  }
}
