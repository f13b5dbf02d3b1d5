import type { FastifyRequest } from 'fastify';

/**
 * RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked MUST get 400 (its
 * length cannot be known); §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing. Node only
 * decodes chunked, so any other coding (`gzip, chunked`) is refused as well.
 */
export function transferCodingProblem(request: FastifyRequest): string | undefined {
  const te = request.headers['transfer-encoding'];
  if (te === undefined) return undefined;
  if (request.raw.httpVersion === '1.0') return 'Transfer-Encoding is not allowed in HTTP/1.0.';
  return te.trim().toLowerCase() === 'chunked'
    ? undefined
    : 'Only Transfer-Encoding: chunked is accepted.';
}
