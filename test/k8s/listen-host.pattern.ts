/**
 * The rule of config.HOST and config.ADMIN_HOST in charts/rampart/values.schema.json, built from
 * named parts: the schema holds the result, and helm.listen-host.spec.ts checks the two are equal
 * and that the rule takes what src/config/listen-host.field.ts takes. Change a part here, then
 * paste `JSON.stringify(listenHostRule())` into the schema.
 *
 * An address isIP takes (ip.pattern.ts), or a host name of RFC 1123 labels, at most 253
 * characters before an optional trailing dot, whose last label is not a number (all digits, or
 * `0x` and hex digits). Four patterns that must all hold say that exactly, where one would need a
 * look-ahead RE2 has not.
 */
import { V4, V6 } from './ip.pattern.js';

/** A DNS label: letters, digits and inner hyphens, 1-63 characters. */
const LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** A label that does not start with `0x` (any case): not 0 first, or 0 then no x. */
const NOT_HEX_START = '([^0.]|0[^xX.])[^.]*';

export interface StringRule {
  description?: string;
  type?: string;
  maxLength?: number;
  pattern?: string;
  anyOf?: StringRule[];
  allOf?: StringRule[];
}

export function listenHostRule(): StringRule {
  return {
    description:
      'Empty (unset), an IPv4 or IPv6 address (no brackets) or a host name, as the app accepts ' +
      'it (src/config/listen-host.field.ts): no port. Built from named parts in ' +
      'test/k8s/listen-host.pattern.ts.',
    type: 'string',
    anyOf: [
      { maxLength: 0 },
      { pattern: `^${V4}$` },
      { pattern: `^${V6}$` },
      {
        allOf: [
          { pattern: `^(${LABEL}\\.)*${LABEL}\\.?$` },
          // Not all digits after the last dot: `127.1` and `256.0.0.1` are no names.
          { pattern: '[A-Za-z-][0-9]*\\.?$' },
          // Nor `0x` and hex digits (`0x7f000001` is 127.0.0.1): the last label starts otherwise,
          // is a lone 0 (refused above), or has a character past its `0x` that is no hex digit.
          { pattern: `(^|\\.)(${NOT_HEX_START}|0|0[xX][0-9A-Fa-f]*[^0-9A-Fa-f.][^.]*)\\.?$` },
          { pattern: '^.{1,253}\\.?$' },
        ],
      },
    ],
  };
}

/** Whether `value` satisfies `rule`, read as Helm's validator reads this subset of JSON Schema. */
export function satisfies(rule: StringRule, value: string): boolean {
  return (
    (rule.maxLength === undefined || [...value].length <= rule.maxLength) &&
    (rule.pattern === undefined || new RegExp(rule.pattern, 'u').test(value)) &&
    (rule.anyOf === undefined || rule.anyOf.some((r) => satisfies(r, value))) &&
    (rule.allOf === undefined || rule.allOf.every((r) => satisfies(r, value)))
  );
}
