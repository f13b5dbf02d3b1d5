import { METHODS } from 'node:http';
import { emptyEntriesProblem, listEntries, optionalList } from './config.fields.js';

/**
 * The HTTP methods the OpenTelemetry HTTP semantic conventions know by default: RFC 9110's,
 * PATCH (RFC 5789) and QUERY (the httpbis safe-method-with-body draft, known since semconv 1.38).
 * A span and the request histogram record any other method as `_OTHER`
 * (opentelemetry.io/docs/specs/semconv/registry/attributes/http/#http-request-method).
 */
export const DEFAULT_KNOWN_METHODS: readonly string[] = Object.freeze([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/** What the semantic conventions record for a method outside the known ones. */
export const OTHER_METHOD = '_OTHER';

/**
 * OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, the override the semantic conventions require of an
 * instrumentation that may record a valid method as `_OTHER` (Node's parser takes WebDAV's
 * PROPFIND, MKCOL, ... and PURGE): a comma-separated list that replaces the defaults, not one
 * added to them; case-sensitive. Only the methods Node's HTTP parser accepts (`http.METHODS`)
 * may be listed: any other is answered 400 by the parser before it is a request, so it could
 * never be recorded, and a lower-case `get` would have made every GET `_OTHER` without a word.
 */
export const knownMethods = () =>
  optionalList().transform((raw, ctx): readonly string[] => {
    if (raw === undefined) return DEFAULT_KNOWN_METHODS;
    const entries = listEntries(raw);
    const parsed = new Set<string>(METHODS);
    const problems = [
      emptyEntriesProblem(entries),
      ...entries.map((method) =>
        method === '' || parsed.has(method)
          ? undefined
          : `"${method}" is no method Node's HTTP parser accepts (it answers 400 to it)`,
      ),
    ].filter((problem) => problem !== undefined);
    if (problems.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${problems.join('; ')}; expected a comma-separated list of ${METHODS.join(', ')}`,
      });
    }
    return Object.freeze([...new Set(entries)]);
  });
