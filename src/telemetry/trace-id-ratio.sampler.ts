import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });
const TRACE_ID_LENGTH = 32;

/**
 * OTEL_TRACES_SAMPLER=traceidratio: the SDK's TraceIdRatioBasedSampler decision, bit for bit (the
 * four 32-bit words of the id XORed, below `ratio` of 2^32), in one pass over the id that also
 * checks it, and with no result object per call. The SDK's checks the id with a regular
 * expression first and makes a result per call, paid by every request without a
 * caller's trace context, sampled or not (trace-id-ratio.sampler.bench.ts).
 * trace-id-ratio.sampler.spec.ts holds the decisions equal to the SDK's on random and edge ids.
 */
export class TraceIdRatioSampler implements Sampler {
  private readonly upperBound: number;

  constructor(readonly ratio: number) {
    const bounded = Number.isNaN(ratio) ? 0 : Math.min(1, Math.max(0, ratio));
    this.upperBound = bounded === 1 ? 2 ** 32 : Math.floor(bounded * (2 ** 32 - 1));
  }

  shouldSample(_context: unknown, traceId: string): SamplingResult {
    return wordsXored(traceId) < this.upperBound ? SAMPLED : NOT_SAMPLED;
  }

  toString(): string {
    return `TraceIdRatioBased{${this.ratio}}`;
  }
}

/** Each ASCII code's hex value, -1 for a code that is not a hex digit. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/**
 * The id's four 32-bit words XORed, or Infinity for an id the W3C calls invalid: not 32
 * lowercase or uppercase hex digits, or all zero (which no ratio samples). A table look-up per
 * digit and one check at the end: a branch per digit range took twice as long.
 */
function wordsXored(traceId: string): number {
  if (traceId.length !== TRACE_ID_LENGTH) return Infinity;
  let xored = 0;
  let any = 0;
  let invalid = 0;
  for (let word = 0; word < TRACE_ID_LENGTH; word += 8) {
    let value = 0;
    for (let i = word; i < word + 8; i++) {
      const code = traceId.charCodeAt(i);
      const digit = code < 128 ? HEX_VALUE[code]! : -1;
      invalid |= digit;
      value = (value << 4) | (digit & 15);
    }
    any |= value;
    xored = (xored ^ value) >>> 0;
  }
  return invalid < 0 || any === 0 ? Infinity : xored;
}
