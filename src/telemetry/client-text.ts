/**
 * Text a client chose (its path, its User-Agent), cut to `limit` characters for a span attribute,
 * in a string that holds no more than it shows.
 *
 * V8 makes a cut of 13 or more characters a view into the original string (a "sliced string",
 * v8:2869), which stays alive as long as the cut does. The SDK's own cut of a 12 KB User-Agent to
 * OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT characters, or `url.path` sliced off a URL with a long
 * query, kept the whole header alive for as long as the span: ~12 KB a span in the /debug/tracez
 * ring, which a client fills at will by sending a sampled `traceparent` (86 MB of heap for the
 * default 4,096 spans, against the ~1 KB a span the ring is sized by). Prepending a character
 * and cutting it off again makes V8 flatten the pair into a new string first, so the result is a
 * view into a string of `limit` + 1 characters only (client-text.spec.ts measures the heap).
 * @param whole whether `value` is a string of its own (a header as the parser made it) rather
 *   than already a cut of a longer one
 */
export function clientText(value: string, limit: number, whole = true): string {
  if (value.length <= limit && whole) return value;
  const cut = value.length > limit ? value.slice(0, limit) : value;
  return (' ' + cut).slice(1);
}
