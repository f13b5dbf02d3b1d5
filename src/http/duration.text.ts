/** '', '.01' … '.99' without trailing zeros ('.1' for ten hundredths): the text after the units. */
const HUNDREDTHS = Array.from({ length: 100 }, (_, n) =>
  n === 0 ? '' : `.${String(n).padStart(2, '0')}`.replace(/0$/, ''),
);
/** Whole milliseconds up to here are small integers, whose text V8 keeps cached. */
const LARGEST_FAST_MS = 2 ** 30;

/**
 * Milliseconds as the access line writes them, rounded to hundredths: the text
 * `String(Math.round(ms * 100) / 100)` gives (`0.42`, `12.3`, `7`), from a whole number and a
 * table. That expression formats a fraction by V8's shortest-digits algorithm, a new heap number
 * and string every request (duration.text.bench.ts); whole milliseconds are small integers.
 */
export function durationText(ms: number): string {
  const hundredths = Math.round(ms * 100);
  if (!(hundredths >= 0 && hundredths < LARGEST_FAST_MS * 100)) return String(hundredths / 100);
  const whole = Math.trunc(hundredths / 100);
  return `${whole}${HUNDREDTHS[hundredths - whole * 100]}`;
}
