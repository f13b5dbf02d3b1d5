import { STATUS_CODES } from 'node:http';
import { AppError, type FieldProblem } from './app.error.js';
import { frameworkDetail } from './client-text.js';

/** RFC 9457 problem details, with rampart's stable `code` and correlation ids. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId?: string;
  traceId?: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Status codes for errors raised by Fastify itself (body parsing, limits) and by Nest. */
const FRAMEWORK_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own error codes that deserve a more precise stable code than the status gives. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_JSON_BODY',
  FST_ERR_BAD_URL: 'MALFORMED_URL',
};

/**
 * Fastify refuses a Content-Type it cannot parse as `type/subtype` (`application/`, `json`, an
 * empty value, a list) before any body parser runs, with the bare text "Unsupported Media Type";
 * the answer says what to send, as the body parser's own 415s do (RFC 9110 §15.5.16: `Accept`,
 * and `Accept-Patch` on a PATCH, RFC 5789 §2.2). Without content it says so: told only to send
 * application/json, a request without a body got EMPTY_JSON_BODY next, where with no
 * Content-Type it is one without a body (a JSON route says it needs one).
 */
function notAMediaType({ method, noContent }: ProblemContext): AppError {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'PATCH') headers['accept-patch'] = 'application/json';
  return new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    415,
    noContent
      ? 'The Content-Type is not a media type (type/subtype), and the request has no body: send ' +
          'no Content-Type without one, or a JSON body with Content-Type: application/json.'
      : 'The Content-Type is not a media type (type/subtype); send Content-Type: application/json.',
    { headers },
  );
}

/** What an answer may say of the request and listener it is for. */
export interface ProblemContext {
  /** The listener's body limit, named in the detail of a body refused for its size. */
  bodyLimit?: number;
  method?: string;
  /** The request has neither Transfer-Encoding nor a Content-Length above 0. */
  noContent?: boolean;
}

interface Classified {
  status: number;
  code: string;
  detail: string;
  error?: AppError;
  extensions?: Record<string, unknown>;
}

/**
 * Turns anything thrown into a status, a stable code and a message safe to show.
 * Unknown errors become 500 INTERNAL_ERROR with a generic detail: internals never leave.
 */
export function classifyError(error: unknown, context: ProblemContext = {}): Classified {
  if (error instanceof AppError) {
    return { status: error.status, code: error.code, detail: error.message, error };
  }
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    // Nest wraps Fastify's own errors (body parsing, limits) in an HttpException with `cause`.
    const fastifyCode = frameworkCode(error) ?? frameworkCode((error as { cause?: unknown }).cause);
    if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return classifyError(notAMediaType(context));
    // Fastify's "Request body is too large" names no figure; the 413 answered before a body
    // sent with Expect: 100-continue does (client-error.reply.ts).
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' && context.bodyLimit !== undefined) {
      const detail = `The body exceeds the limit of ${context.bodyLimit} bytes.`;
      return { status, code: 'PAYLOAD_TOO_LARGE', detail };
    }
    const code =
      (fastifyCode && FASTIFY_CODES[fastifyCode]) ?? FRAMEWORK_CODES[status] ?? `HTTP_${status}`;
    return { status, code, detail: safeMessage(error, status) };
  }
  if (error instanceof SyntaxError) {
    return { status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' };
  }
  if (status === 503) {
    // Terminus answers a failed readiness check with 503 and the per-check details: keep them.
    const checks = healthDetails(error);
    return {
      status,
      code: checks ? 'NOT_READY' : 'SERVICE_UNAVAILABLE',
      detail: checks ? 'One or more readiness checks failed.' : 'The service is unavailable.',
      extensions: checks ? { checks } : undefined,
    };
  }
  return { status: 500, code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred.' };
}

/** Builds the body for a classified error. */
export function buildProblem(
  c: Classified,
  ids: { requestId?: string; traceId?: string; instance?: string },
): ProblemDetails {
  const problem: ProblemDetails = {
    type: `urn:rampart:problem:${c.code.toLowerCase().replaceAll('_', '-')}`,
    title: STATUS_CODES[c.status] ?? 'Error',
    status: c.status,
    detail: c.detail,
    code: c.code,
  };
  if (ids.instance) problem.instance = ids.instance;
  if (ids.requestId) problem.requestId = ids.requestId;
  if (ids.traceId) problem.traceId = ids.traceId;
  if (c.error?.errors) problem.errors = c.error.errors;
  if (c.error?.extensions) Object.assign(problem, c.error.extensions);
  if (c.extensions) Object.assign(problem, c.extensions);
  return problem;
}

function frameworkCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('FST_') ? code : undefined;
}

function healthDetails(error: unknown): unknown {
  const getResponse = (error as { getResponse?: () => unknown }).getResponse;
  if (typeof getResponse !== 'function') return undefined;
  const body = getResponse.call(error) as { details?: unknown } | string;
  return typeof body === 'object' && body !== null ? body.details : undefined;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { statusCode?: unknown; status?: unknown; getStatus?: () => number };
  if (typeof e.getStatus === 'function') return e.getStatus();
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.status === 'number') return e.status;
  return undefined;
}

/** 4xx framework messages describe the client's mistake; keep them, but never a stack. */
function safeMessage(error: unknown, status: number): string {
  return frameworkDetail((error as { message?: unknown }).message, STATUS_CODES[status] ?? 'Error');
}
