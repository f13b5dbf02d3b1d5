import { emptyEntriesProblem, listEntries, optionalList } from './config.fields.js';

/** The OpenTelemetry SDK's limit on a decoded key or value (ResourceAttributesEnvDetector). */
const MAX_LENGTH = 255;

/**
 * OTEL_RESOURCE_ATTRIBUTES, checked by the rules the SDK's environment detector reads it with:
 * `key=value` entries separated by commas (none empty), exactly one `=` each, a key,
 * both percent-decodable and at most 255 characters once decoded. The detector drops the whole
 * value when one entry breaks a rule, and says so only at diag level debug: `env=prod,team`
 * started and exported spans without `env`. The value is kept as given; the detector reads it.
 */
export const resourceAttributes = () =>
  optionalList().superRefine((raw, ctx) => {
    if (raw === undefined) return;
    // The detector skips an empty entry; refused as in every list: a value a template lost.
    const empty = emptyEntriesProblem(listEntries(raw));
    if (empty !== undefined) ctx.addIssue({ code: 'custom', message: empty });
    raw.split(',').forEach((entry, index) => {
      if (entry.trim() === '') return;
      const problem = entryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${problem}` });
    });
  });

/** Why the detector would refuse one entry, or undefined. */
function entryProblem(entry: string): string | undefined {
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
  return undefined;
}

function decodeOrUndefined(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
