import type { FieldProblem } from '../errors/app.error.js';
import { cut } from '../errors/client-text.js';
import { readStrictJson, type JsonValueObserver } from './json.strict.js';

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const PLAIN_INTEGER = /^-?\d+$/;

/** Whether a JSON number literal denotes exactly the safe integer `value` (BigInt arithmetic). */
export function denotesExactly(literal: string, value: number): boolean {
  const parts = NUMBER.exec(literal);
  if (parts === null || !Number.isSafeInteger(value)) return false;
  const [, sign, whole, fraction = '', exponent = '0'] = parts as unknown as string[];
  const digits = (whole! + fraction).replace(/^0+/, '');
  if (digits === '') return value === 0;
  const shift = Number(exponent) - fraction.length;
  let exact: bigint;
  if (shift >= 0) {
    // More digits than a safe integer has: not `value`, whatever the parse made of it.
    if (digits.length + shift > 16) return false;
    exact = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    if (-shift >= digits.length || !/^0+$/.test(digits.slice(shift))) return false;
    exact = BigInt(digits.slice(0, shift));
  }
  return (sign === '-' ? -exact : exact) === BigInt(value);
}

/**
 * Whether `value`, JSON.parse's reading of `literal`, is an integer the literal does not denote.
 * Past 2^53 only a plain integer literal counts (`9007199254740993`); `1e300` is an integer to
 * JSON.parse as well, but no setting's bounds take it, and those name the field more plainly
 * than "1e300 is read as 1e+300".
 */
function roundedToInteger(literal: string, value: number): boolean {
  if (Number.isSafeInteger(value)) return !denotesExactly(literal, value);
  return Number.isInteger(value) && PLAIN_INTEGER.test(literal) && String(value) !== literal;
}

/**
 * Notes in `problems` each number of a JSON text that JSON.parse rounds to an integer it does
 * not denote: `1e-400` read as 0, `503.00000000000001` as 503, `9007199254740993` as
 * 9007199254740992. A settings field that takes an integer would take the rounded one and act on
 * a value nobody sent (an exit route given `{"code":1e-400}` exited 0). Named by their key (the
 * array index inside an array); `body` for a bare number. With `fields`, only the numbers under
 * those keys: a field that takes any number reads `0.99999999999999999` as 1 as it reads `0.1`
 * as the double nearest it, and refusing it told the client to "send the integer itself" for a
 * share. An observer of readStrictJson's one parse (json.strict.ts): the literals come from the
 * parse that reads the value, with source-text access (a reviver: several times slower than a
 * plain parse), so it is for bodies that are few and small.
 */
export function roundedIntegersInto(
  problems: FieldProblem[],
  fields?: ReadonlySet<string>,
): JsonValueObserver {
  return (_holder, key, value, literal) => {
    if (fields !== undefined && !fields.has(key)) return;
    if (typeof value === 'number' && literal !== undefined && roundedToInteger(literal, value)) {
      problems.push({
        field: key === '' ? 'body' : key,
        // What happened first, the client's literal last: a cut of a long message (every
        // answer's text is cut at 200 characters, http.errors.ts) keeps the reason.
        message: `read as ${value}; send the integer itself, not ${cut(literal)}`,
      });
    }
  };
}

/** `roundedIntegersInto` for a text on its own (JSON that readStrictJson takes). */
export function roundedIntegers(text: string, fields?: ReadonlySet<string>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  readStrictJson(text, undefined, roundedIntegersInto(problems, fields));
  return problems;
}
