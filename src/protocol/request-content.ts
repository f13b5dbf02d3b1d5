import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { continueWithheld } from '../errors/expect.reply.js';

/** What a request carries, as far as a parser that takes no bytes of it needs to know. */
export type RequestContent = 'none' | 'some' | Error;

/**
 * Whether `req` carries content, for a parser that reads none of it (RFC 9112 §6.3): without
 * Transfer-Encoding, a Content-Length above 0; chunked, a first chunk before the last, so
 * `0\r\n\r\n` is none, as `Content-Length: 0` is. A chunked body is read until its first byte or
 * its end (`payload`: Fastify's stream of it) and then paused: the rest is never taken from the
 * socket, which the refusal closes. A client still waiting for `100 Continue` (expect.reply.ts)
 * announced content (RFC 9110 §10.1.1: never sent without) and is taken at its word: reading
 * would ask it for an upload that could only be refused.
 */
export function requestContent(
  req: IncomingMessage,
  payload: Readable,
  then: (content: RequestContent) => void,
): void {
  if (req.headers['transfer-encoding'] === undefined) {
    then(Number(req.headers['content-length']) > 0 ? 'some' : 'none');
    return;
  }
  if (continueWithheld(req)) {
    then('some');
    return;
  }
  const settle = (content: RequestContent): void => {
    payload.off('data', onData).off('end', onEnd).off('error', settle);
    then(content);
  };
  const onData = (): void => {
    payload.pause();
    settle('some');
  };
  const onEnd = (): void => settle('none');
  payload.on('data', onData).on('end', onEnd).on('error', settle);
}
