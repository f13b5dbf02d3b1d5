import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MalformedJsonError, UnsupportedMediaTypeError } from './protocol.errors.js';

const SEND_JSON = 'send Content-Type: application/json';

/**
 * The only request bodies the public API reads are JSON, stored exactly as sent:
 * 1. `application/json` (any case, with or without `charset=utf-8`) is decoded as strict UTF-8:
 *    an invalid byte is malformed JSON (400), not a U+FFFD the client never sent; the JSON itself
 *    goes through Fastify's own parser, so the body limit and the `__proto__`/`constructor`
 *    poisoning checks (`onProtoPoisoning`, `onConstructorPoisoning`) stay Fastify's;
 * 2. any other type — a form post or `text/plain`, which a cross-site HTML form can send without
 *    a CORS preflight — and a body without a Content-Type answer 415.
 * A request without a body (no Content-Length, no Transfer-Encoding) is never parsed: body-less
 * POSTs such as a counter increment keep working. Nest's own parsers must be off
 * (`bodyParser: false`), or they would re-add form parsing.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const { onProtoPoisoning, onConstructorPoisoning } = app.initialConfig;
  const parseJson = app.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  );
  // `fatal`: throw on invalid UTF-8 instead of substituting U+FFFD (WHATWG Encoding §10.2).
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request);
    if (charset !== undefined && charset !== 'utf-8') {
      done(new UnsupportedMediaTypeError(`charset ${clip(charset)} is not accepted; use utf-8.`));
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new MalformedJsonError('The request body is not valid UTF-8.'));
      return;
    }
    parseJson(request, text, done);
  });
  // Catch-all: the stream is never read; Node discards the rest of the body after the answer.
  app.addContentTypeParser('*', (request, _payload, done) => {
    const type = request.headers['content-type'];
    done(
      new UnsupportedMediaTypeError(
        type === undefined || type === ''
          ? `The request has a body but no Content-Type; ${SEND_JSON}.`
          : `Content-Type ${clip(type)} is not accepted; ${SEND_JSON}.`,
      ),
    );
  });
}

/** The lower-cased `charset` parameter (RFC 9110 §8.3.1: optionally quoted), if any. */
function charsetOf(request: FastifyRequest): string | undefined {
  const header = request.headers['content-type'] ?? '';
  for (const parameter of header.split(';').slice(1)) {
    const eq = parameter.indexOf('=');
    if (eq === -1 || parameter.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return parameter
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return undefined;
}

/** Echoed values are clipped: a 16 KB header must not come back in the problem body. */
function clip(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}
