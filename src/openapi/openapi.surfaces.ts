import type { ProblemCode } from '../errors/problem.catalog.js';
import type { CatalogedRoute } from './route.catalog.js';

/** A listener's part of its document: what every route on it shares. */
export interface Surface {
  title: string;
  description: string;
  /** Problems any route on this listener can answer, beyond its own. */
  commonProblems(route: CatalogedRoute): ProblemCode[];
  /** Request headers the route honours, as every route on this listener does. */
  commonHeaders(route: CatalogedRoute): readonly ParameterObject[];
  /** Whether the route needs `Authorization: Bearer <ADMIN_TOKEN>`. */
  needsToken(route: CatalogedRoute): boolean;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: Record<string, unknown>;
  example?: unknown;
}

/** Methods whose body rampart parses (protocol/json.body-parser.ts answers its problems). */
const readsBody = (method: string): boolean => method !== 'GET' && method !== 'HEAD';
const BODY_PROBLEMS: ProblemCode[] = [
  'MALFORMED_JSON',
  // A `__proto__` or `constructor` key, or a key repeated in one object, refused by the parser
  // on any body.
  'INVALID_INPUT',
  'EMPTY_JSON_BODY',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
];
/**
 * A GET or HEAD that carries content anyway (protocol/bodyless-route.check.ts); a probe answers
 * whatever comes with it.
 */
const unreadBodyProblems = (route: CatalogedRoute): ProblemCode[] =>
  route.contract?.probe ? [] : ['INVALID_INPUT'];

/**
 * What any request on either port can be answered before its route runs: bytes Node's parser
 * refuses (errors/client-error.reply.ts: 400, 431, and 408 for headers or, on a route that reads
 * one, a body not in time), a URL that cannot be decoded or parsed, an `Expect` other than 100-continue,
 * an HTTP version other than 1.1 or 1.0 (505), and `Expect: 100-continue` with a Content-Length
 * over the listener's body limit (413, errors/expect.reply.ts): answered before routing, a GET's
 * and a probe's too, where the document listed 413 on the routes that read a body alone.
 */
const PROTOCOL_PROBLEMS: ProblemCode[] = [
  'BAD_REQUEST',
  'MALFORMED_URL',
  'REQUEST_HEADER_FIELDS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'EXPECTATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'HTTP_VERSION_NOT_SUPPORTED',
];

const REQUEST_TIMEOUT_HEADER: ParameterObject = {
  name: 'x-request-timeout',
  in: 'header',
  required: false,
  description:
    'Lowers this request’s deadline (never raises it past REQUEST_TIMEOUT_MS): milliseconds ' +
    'or a duration such as `2s`. Past it the answer is 504 REQUEST_DEADLINE_EXCEEDED.',
  schema: { type: 'string' },
  example: '2s',
};

const REQUEST_ID_HEADER: ParameterObject = {
  name: 'x-request-id',
  in: 'header',
  required: false,
  description: 'Correlation id, echoed in the answer and its logs; one is made when absent.',
  schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$' },
};

/** The public port: the hooks of http/http.hooks.ts and admission, as each route meets them. */
export const PUBLIC_SURFACE: Surface = {
  title: 'rampart',
  description:
    'The public API. Every error is `application/problem+json` with a stable `code`; each ' +
    "operation lists the codes it can answer. Admin routes are in the admin port's own " +
    'document (GET /openapi.json on ADMIN_PORT).',
  commonProblems: (route) => [
    ...PROTOCOL_PROBLEMS,
    'INTERNAL_ERROR',
    'REQUEST_DEADLINE_EXCEEDED',
    // Probes are exempt from the limiter, admission and chaos (health/health.paths.ts), and
    // never read x-request-timeout (http/request-state.hook.ts).
    ...(route.contract?.probe
      ? []
      : ([
          'INVALID_REQUEST_TIMEOUT',
          'RATE_LIMITED',
          'CONCURRENCY_LIMITED',
          'SERVER_OVERLOADED',
          'CHAOS_INJECTED',
        ] as const)),
    ...(readsBody(route.method) ? BODY_PROBLEMS : unreadBodyProblems(route)),
  ],
  commonHeaders: (route) =>
    route.contract?.probe ? [REQUEST_ID_HEADER] : [REQUEST_TIMEOUT_HEADER, REQUEST_ID_HEADER],
  needsToken: () => false,
};

/** The admin port (admin/admin.server.ts, admin.guard.ts). */
export const ADMIN_SURFACE: Surface = {
  title: 'rampart admin',
  description:
    'The operator listener on ADMIN_PORT: metrics, profiles, fault injection, readiness. ' +
    'Mutations and /debug/pprof/ need `Authorization: Bearer <ADMIN_TOKEN>`.',
  commonProblems: (route) => [
    ...PROTOCOL_PROBLEMS,
    'INTERNAL_ERROR',
    ...(ADMIN_SURFACE.needsToken(route)
      ? (['ADMIN_TOKEN_INVALID', 'ADMIN_TOKEN_NOT_CONFIGURED'] as const)
      : []),
    // A mutation a browser sent from another site (admin.guard.ts).
    ...(readsBody(route.method)
      ? (['ADMIN_CROSS_SITE_REQUEST', ...BODY_PROBLEMS] as const)
      : unreadBodyProblems(route)),
  ],
  commonHeaders: () => [],
  // The guard's rule: everything but reads, and the profiles under /debug/pprof/ (the trace
  // view and the status page are reads open like /metrics).
  needsToken: (route) => readsBody(route.method) || route.url.startsWith('/debug/pprof/'),
};
