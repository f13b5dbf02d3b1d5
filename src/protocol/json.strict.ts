import secureJson from 'secure-json-parse';
import { duplicateKeyPointer } from './json.duplicate-keys.js';
import { jsonShape } from './json.shape.js';

/** What a JSON text is to rampart: its value, or why it is refused. */
export type StrictJson = { value: unknown } | { problem: string };

/**
 * Parses JSON by the rules the request body parser (json.body-parser.ts) applies to a request
 * body, for JSON that comes from elsewhere: a backend's answer. Refused: text that is not JSON;
 * JSON too costly to parse or walk (json.shape.ts); a `__proto__` key, or a `constructor` one
 * holding a `prototype` (secure-json-parse, the check Fastify's own parser makes); a key
 * repeated within one object, which JSON.parse reads as its last value where another reader
 * may take the first (json.duplicate-keys.ts).
 *
 * A `__proto__` key is no pollution inside this process (JSON.parse makes it an own property,
 * not the prototype), but a value holding one, sent on in an answer, is an `Object.assign` or a
 * deep merge away from polluting whichever client reads that answer.
 */
export function parseStrictJson(text: string): StrictJson {
  const shape = jsonShape(text);
  if (shape.problem !== undefined) return { problem: shape.problem };
  let value: unknown;
  try {
    value = secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const pointer = duplicateKeyPointer(text, value, shape.keys);
  if (pointer !== undefined) return { problem: `The JSON repeats the key at ${pointer}.` };
  return { value };
}
