import type { FastifyRequest } from 'fastify';
import { cut } from '../errors/client-text.js';
import { BadRequestError, UnsupportedMediaTypeError } from './protocol.errors.js';
import { parametersOf } from './media-type.parameters.js';
import { repeated } from './raw-headers.js';

const SEND_JSON = 'send Content-Type: application/json';

/** What a request's headers must say of it, read before its body (json.body-parser.ts). */
type BodyRequest = Pick<FastifyRequest, 'headers' | 'method'> & {
  raw: Pick<FastifyRequest['raw'], 'rawHeaders'>;
};

/**
 * Node keeps the first of repeated Content-Type lines, so `application/json` then `text/plain`
 * was read as JSON and the other order refused: a singleton field sent twice (RFC 9110 §5.3)
 * leaves the body's type unknown. Either order is this one 400, whichever parser ran.
 */
export function repeatedTypeProblem(request: BodyRequest): BadRequestError | undefined {
  return repeated(request.raw.rawHeaders, 'content-type')
    ? new BadRequestError('More than one Content-Type header.')
    : undefined;
}

/**
 * Why a body declared `application/json` is refused before a byte of it is decoded, or
 * undefined: a Content-Type given twice (400); a Content-Encoding (gzip, br…), since read as
 * plain JSON a gzip body is garbage and `br, x-evil` text is taken for what it is not, and a
 * coding the server does not accept is 415 (RFC 9110 §8.4.1); a charset other than utf-8 (415).
 */
export function jsonHeadersProblem(request: BodyRequest): Error | undefined {
  const repeatedType = repeatedTypeProblem(request);
  if (repeatedType !== undefined) return repeatedType;
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    const named = cut(request.headers['content-encoding'] ?? '');
    return new UnsupportedMediaTypeError(
      `Content-Encoding ${named} is not accepted; send it unencoded.`,
      { encoding: true },
    );
  }
  const charset = charsetOf(request);
  if (charset !== undefined && charset !== 'utf-8') {
    const detail = `${charsetRefusal(charset)}; use utf-8.`;
    return new UnsupportedMediaTypeError(detail, { method: request.method });
  }
  return undefined;
}

/** A body of a type other than JSON, or of none. */
export function unsupportedType(request: BodyRequest): UnsupportedMediaTypeError {
  const type = request.headers['content-type'];
  return new UnsupportedMediaTypeError(
    type === undefined || type === ''
      ? `The request has a body but no Content-Type; ${SEND_JSON}.`
      : `Content-Type ${cut(type)} is not accepted; ${SEND_JSON}.`,
    { method: request.method },
  );
}

/** Given twice, the charset is neither: the first decided one order, the second the other. */
const REPEATED = Symbol('charset given more than once');

/**
 * The lower-cased `charset` parameter (RFC 9110 §8.3.1: optionally quoted), if any. A second
 * one is REPEATED: the first decided, so `charset=utf-8; charset=latin1` was read as UTF-8 and
 * the other order refused (RFC 6838 §4.3: a parameter given twice is an error).
 */
function charsetOf(request: BodyRequest): string | typeof REPEATED | undefined {
  let charset: string | undefined;
  for (const [name, value] of parametersOf(request.headers['content-type'] ?? '')) {
    if (name !== 'charset') continue;
    if (charset !== undefined) return REPEATED;
    charset = value.toLowerCase();
  }
  return charset;
}

function charsetRefusal(charset: string | typeof REPEATED): string {
  if (charset === REPEATED) return 'charset is given more than once';
  if (charset === '') return 'an empty charset is not accepted';
  return `charset ${cut(charset)} is not accepted`;
}
