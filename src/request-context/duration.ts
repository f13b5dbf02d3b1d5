const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};
// µ as \u00b5: esbuild leaves regular expressions as written, and one character past ASCII
// makes the whole bundle a two-byte string to decode and scan (scripts/bundle-ascii.mjs).
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|\u00b5s|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|\u00b5s|ms|s|m|h)/g;

/**
 * Parses milliseconds ("150") or a Go-style duration ("2s", "1m30s", "150ms") into whole
 * milliseconds. One too long to hold exactly (past 2^53 ms, however many digits: a client's
 * Long.MAX_VALUE for "no deadline of mine", or 99999999999999999999h) is Infinity, longer than
 * any bound a caller sets. Undefined for anything else: negative, empty, exponent forms, ms with
 * a fraction, NaN. No length limit: both patterns are read in one pass, and a header is bounded
 * by Node's `maxHeaderSize`.
 */
export function parseDurationMs(input: string): number | undefined {
  if (/^\d+$/.test(input)) return whole(Number(input));
  if (!GO_DURATION.test(input)) return undefined;
  let total = 0;
  for (const [, amount, unit] of input.matchAll(PART)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return whole(Math.round(total));
}

function whole(ms: number): number {
  return Number.isSafeInteger(ms) ? ms : Infinity;
}

/**
 * A request's timeout: `defaultMs` (REQUEST_TIMEOUT_MS), lowered — never raised — by the client's
 * `x-request-timeout`. Undefined when the header is there but is not ms or a duration, or is 0.
 * Shared by the request-context hook (which answers such a header 400) and admission (which
 * bounds a queued request's wait by it before any hook has run).
 */
export function requestTimeoutMs(
  header: string | string[] | undefined,
  defaultMs: number,
): number | undefined {
  if (header === undefined) return defaultMs;
  if (typeof header !== 'string') return undefined;
  const asked = parseDurationMs(header);
  if (asked === undefined || asked === 0) return undefined;
  return Math.min(asked, defaultMs);
}
