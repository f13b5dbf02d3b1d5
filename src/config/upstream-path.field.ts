import { text } from './config.fields.js';

/** RFC 3986 §3.3 pchar, less the escapes: what a path segment holds as written, and `/`. */
const PATH_CHARS = "A-Za-z0-9\\-._~!$&'()*+,;=:@/";
/** An origin-form target (RFC 9112 §3.2.1): `/`, then path, then an optional `?` query. */
const ORIGIN_FORM = new RegExp(
  `^/([${PATH_CHARS}]|%[0-9A-Fa-f]{2})*(\\?([${PATH_CHARS}?]|%[0-9A-Fa-f]{2})*)?$`,
);

/**
 * UPSTREAM_PATH: the request target sent to every backend, after its URL's own path
 * (upstream.client.ts: `/gw` + `/api/fanout?depth=2`). undici sends it as written, so it must be
 * an origin-form target as it stands:
 * - a query is one (`/api/fanout?depth=2` reaches each backend with its query);
 * - a fragment is not: a client keeps it to itself (RFC 9110 §7.1), and a rampart backend, the
 *   default chain, answers a target holding `#` 400 (protocol/request-target.ts), so
 *   `/api/fanout#x` started and then degraded every backend's entry;
 * - nor are spaces, quotes, `<>\^`{|}[]` or a `%` without two hex digits: RFC 3986 has them
 *   percent-encoded, and a server may refuse them as a malformed request line.
 */
export const upstreamPath = () =>
  text()
    .refine((v) => v.startsWith('/'), { message: 'expected a path starting with /', abort: true })
    .refine((v) => !v.includes('#'), {
      message: 'must not hold a fragment (#…): it is never sent, and a backend may refuse it',
      abort: true,
    })
    .regex(
      ORIGIN_FORM,
      "expected a path of RFC 3986 characters (letters, digits, -._~!$&'()*+,;=:@/ and %XX), " +
        'then any ?query; percent-encode the rest (spaces, quotes, <>\\^`{|}[])',
    )
    .default('/api/fanout');
