import { AppError } from '../errors/app.error.js';
import { cut, methodNamed, pathAsSent } from '../errors/client-text.js';
import type { TargetProblem } from './request-target.js';

/** The body is not `application/json` (or names a charset other than UTF-8). */
export class UnsupportedMediaTypeError extends AppError {
  /**
   * Says what would have been accepted (RFC 9110 §15.5.16): `Accept`, and `Accept-Patch` on a
   * PATCH (RFC 5789 §2.2), or `Accept-Encoding` when the content coding was the fault (RFC 7694).
   */
  constructor(detail: string, refused: { method?: string; encoding?: boolean } = {}) {
    const headers: Record<string, string> = refused.encoding
      ? { 'accept-encoding': 'identity' }
      : { accept: 'application/json' };
    if (!refused.encoding && refused.method === 'PATCH')
      headers['accept-patch'] = 'application/json';
    super('UNSUPPORTED_MEDIA_TYPE', 415, detail, { headers });
  }
}

/** The body is not UTF-8 (RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8). */
export class MalformedJsonError extends AppError {
  constructor(detail: string) {
    super('MALFORMED_JSON', 400, detail);
  }
}

/** The path exists, not with this method; `Allow` lists the ones it has (RFC 9110 §15.5.6). */
export class MethodNotAllowedError extends AppError {
  constructor(method: string, allowed: readonly string[]) {
    const allow = allowed.join(', ');
    super('METHOD_NOT_ALLOWED', 405, `${method} is not supported here; allowed: ${allow}.`, {
      headers: { allow },
    });
  }
}

/**
 * No route takes this path with any method: the one wording of a 404 on the public and admin
 * ports (the probe port's thread repeats it). The path as `instance` names it (pathAsSent), cut:
 * a 16 KB path came back twice, and an absolute-form target's scheme and host were quoted with it.
 */
export class NoRouteError extends AppError {
  constructor(method: string, target: string) {
    // A HEAD's named as its GET's (methodNamed): its Content-Length must be the GET's.
    super('NOT_FOUND', 404, `No route ${methodNamed(method)} ${cut(pathAsSent(target))}`);
  }
}

/** A request framing rule of RFC 9112 that Node's parser leaves to the application. */
export class BadRequestError extends AppError {
  constructor(detail: string) {
    super('BAD_REQUEST', 400, detail);
  }
}

/** A request target refused (request-target.ts): BAD_REQUEST or MALFORMED_URL, 400 either way. */
export class RequestTargetError extends AppError {
  constructor({ code, detail }: TargetProblem) {
    super(code, 400, detail);
  }
}

/**
 * RFC 9110 §15.6.6: the request's HTTP version is not one served here, HTTP/1.1 or HTTP/1.0.
 * The detail says what to send instead, as the RFC asks of a 505's representation.
 */
export class HttpVersionNotSupportedError extends AppError {
  constructor(httpVersion: string) {
    // A 5xx by number, the client's doing by nature: logged like a 4xx, never a warning.
    super('HTTP_VERSION_NOT_SUPPORTED', 505, httpVersionDetail(httpVersion), { quiet: true });
  }
}

/**
 * Why `httpVersion` (Node's `major.minor`, digits only) is refused. llhttp reports a request line
 * without a version as HTTP/0.9, the protocol of 1991 whose answer is the bare document: no
 * client sends it now, only a person typing a request by hand who left the version out, so the
 * answer is an HTTP/1.1 505 (what Node writes whatever the request's version) whose text reads
 * as plainly on a raw socket and says what was missing.
 */
export function httpVersionDetail(httpVersion: string): string {
  return httpVersion === '0.9'
    ? 'A request line without a version (HTTP/0.9) is not served: end it with HTTP/1.1.'
    : `HTTP/${httpVersion} is not served here: send HTTP/1.1 or HTTP/1.0.`;
}
