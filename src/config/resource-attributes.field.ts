import {
  emptyEntriesProblem,
  listEntries,
  optionalList,
  repeatedKeyProblems,
} from './config.fields.js';

/** The OpenTelemetry SDK's limit on a decoded key or value (ResourceAttributesEnvDetector). */
const MAX_LENGTH = 255;

/**
 * OTEL_RESOURCE_ATTRIBUTES, checked by the rules the SDK's environment detector reads it with:
 * `key=value` entries separated by commas (none empty), exactly one `=` each, a key,
 * both percent-decodable and at most 255 characters once decoded. The detector drops the whole
 * value when one entry breaks a rule, and says so only at diag level debug: `env=prod,team`
 * started and exported spans without `env`. A key set twice (once decoded) is refused too: the
 * detector kept the last value, and the other was never exported. The value is kept as given;
 * the detector reads it.
 */
export const resourceAttributes = () =>
  optionalList().superRefine((raw, ctx) => {
    if (raw === undefined) return;
    // The detector skips an empty entry; refused as in every list: a value a template lost.
    const empty = emptyEntriesProblem(listEntries(raw));
    if (empty !== undefined) ctx.addIssue({ code: 'custom', message: empty });
    const keys = raw.split(',').map((entry, index) => {
      if (entry.trim() === '') return undefined;
      const read = readEntry(entry);
      if (typeof read === 'string') {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${read}` });
        return undefined;
      }
      return read[0];
    });
    for (const message of repeatedKeyProblems(keys, (key) => `set one attribute, ${key}`)) {
      ctx.addIssue({ code: 'custom', message: `${message}: set it once` });
    }
  });

/**
 * The attributes OTEL_RESOURCE_ATTRIBUTES sets, decoded as the SDK's detector decodes them, for
 * a value the field above took (an entry it refused is left out).
 */
export function resourceAttributeMap(raw: string | undefined): ReadonlyMap<string, string> {
  const attributes = new Map<string, string>();
  for (const entry of raw?.split(',') ?? []) {
    const read = entry.trim() === '' ? undefined : readEntry(entry);
    if (Array.isArray(read)) attributes.set(read[0], read[1]);
  }
  return attributes;
}

/** One entry's decoded key and value, or why the detector would refuse it. */
function readEntry(entry: string): [key: string, value: string] | string {
  const parts = entry.split('=');
  if (parts.length !== 2) {
    return 'expected key=value (percent-encode "," and "=" in keys and values)';
  }
  const [key, value] = parts.map((part) => part.trim()) as [string, string];
  if (key === '') return 'the key is empty';
  const decoded = [key, value].map(decodeOrUndefined);
  if (decoded.includes(undefined)) return 'not percent-decodable';
  if (decoded.some((part) => part!.length > MAX_LENGTH)) {
    return `a key or value longer than ${MAX_LENGTH} characters`;
  }
  return decoded as [string, string];
}

function decodeOrUndefined(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
