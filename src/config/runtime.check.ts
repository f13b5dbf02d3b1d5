/** The Node.js release rampart is built and tested for at least (package.json `engines`). */
const SUPPORTED = 'Node.js 22.19 or later (24 LTS is what it is tested on)';

/**
 * What the runtime lacks that rampart depends on, one line each; none on a supported Node.js.
 * Checked by what the runtime does, not its version string, and before anything else at start
 * (main.ts): on an older one the service would start and quietly do the wrong thing. Node.js 20
 * gives a JSON.parse reviver no source text (protocol/json.strict.ts reads it to refuse numbers
 * JSON cannot carry exactly), so a chaos latency of `1e-400` was stored as 0 and a process exit
 * code of `1e-400` taken as 0, where both are refused with a 400.
 * @param parse JSON.parse (tests pass one without the feature)
 */
export function runtimeProblems(
  parse: typeof JSON.parse = JSON.parse,
  version: string = process.version,
): string[] {
  let source: unknown;
  parse('1e-400', (_key: string, value: unknown, context?: { source?: unknown }) => {
    source = context?.source;
    return value;
  });
  if (source === '1e-400') return [];
  return [
    `Node.js ${version}: rampart needs ${SUPPORTED}; this one gives a JSON.parse reviver no ` +
      'source text, without which numbers JSON cannot carry exactly (1e-400) would be read ' +
      'as others (0) instead of refused',
  ];
}
