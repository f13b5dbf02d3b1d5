import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { MalformedJsonError } from './protocol.errors.js';
import type { FieldProblem } from '../errors/app.error.js';
import { InvalidInputError } from '../errors/http.errors.js';
import { roundedIntegersInto } from './json-number.exact.js';
import { jsonHeadersProblem, repeatedTypeProblem, unsupportedType } from './json.body-headers.js';
import { readStrictJson, type StrictJsonReading } from './json.strict.js';
import { requestContent } from './request-content.js';

const REPEATED_KEY = 'this key appears more than once in its object; send it once';

/**
 * The only request bodies the public API reads are JSON, stored exactly as sent:
 * 1. `application/json` (any case, with or without `charset=utf-8`) is decoded as strict UTF-8:
 *    an invalid byte is malformed JSON (400), not a U+FFFD the client never sent; the body limit
 *    stays Fastify's, and the JSON is read by rampart's strict rules (json.strict.ts), with
 *    Fastify's `onProtoPoisoning` and `onConstructorPoisoning` settings for the
 *    `__proto__`/`constructor` keys: JSON too costly to parse or walk (too deep, or an object
 *    too wide) is malformed JSON too; JSON that repeats a key within one object is refused (400
 *    INVALID_INPUT, the field its JSON pointer) rather than read as its last value; and a body
 *    with a Content-Encoding (gzip, br…), another charset or two Content-Types is refused before
 *    it is decoded (json.body-headers.ts): it is read as sent or not at all;
 * 2. any other type — a form post or `text/plain`, which a cross-site HTML form can send without
 *    a CORS preflight — and a body without a Content-Type answer 415; such a request without
 *    content (an empty chunked body too) has no body, as one without the header.
 * The text itself is kept in the request's state for `POST /echo`, which answers and forwards it
 * byte for byte. A request without a body (no Content-Length, no Transfer-Encoding) is never
 * parsed: body-less POSTs such as a counter increment keep working; a JSON type without content
 * is none where the body is optional or absent (emptyIsNoBody). Nest's own parsers must be off (`bodyParser: false`), or they would re-add
 * form parsing.
 * With `exactIntegers` (the admin listener, whose settings are mostly integers), a number
 * JSON.parse rounds to an integer it does not denote is refused (400 INVALID_INPUT naming it:
 * json-number.exact.ts) in a field the route's body takes as an integer (`integerFields`, from
 * its contract: openapi/contract.decorator.ts), once the body has passed the checks above; a
 * field that takes any number (`errorRate`) reads the double nearest its literal. The literals
 * are read in the body's one parse, with source-text access, which makes it slower: a route
 * without an integer field does not pay it, nor does the public port, whose item bodies have
 * none and whose one integer, a counter's `by`, is checked by its route.
 */
export function registerJsonBodyParser(
  app: FastifyInstance,
  options: { exactIntegers?: boolean } = {},
): void {
  const exactIntegers = options.exactIntegers === true;
  const { onProtoPoisoning, onConstructorPoisoning } = app.initialConfig;
  const poisoning = {
    protoAction: onProtoPoisoning ?? 'error',
    constructorAction: onConstructorPoisoning ?? 'error',
  } as const;
  // `fatal`: throw on invalid UTF-8 instead of substituting U+FFFD (WHATWG Encoding §10.2).
  // `ignoreBOM`: keep a leading byte order mark in the text (the decoder drops it by default),
  // so the echo answers the bytes as sent; the JSON parser skips it (secure-json-parse).
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const declared = jsonHeadersProblem(request);
    if (declared !== undefined) {
      done(declared);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new MalformedJsonError('The request body is not valid UTF-8.'));
      return;
    }
    if (text === '') {
      done(emptyIsNoBody(request) ? null : new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY());
      return;
    }
    const integers = exactIntegers ? integerFieldsOf(request) : undefined;
    const rounded: FieldProblem[] | undefined = integers?.size ? [] : undefined;
    const reading = readStrictJson(
      text,
      poisoning,
      rounded && roundedIntegersInto(rounded, integers),
    );
    if (reading.kind !== 'value') {
      done(refused(reading));
      return;
    }
    if (rounded !== undefined && rounded.length > 0) {
      done(new InvalidInputError(rounded));
      return;
    }
    // Kept for a route that passes the body on as sent (RequestState.bodyText): the value is
    // what JSON.parse makes of it, not always what the client sent.
    // (The admin listener has no request state.)
    const state = request.requestState;
    if (state) state.bodyText = text;
    done(null, reading.value);
  });
  // Catch-all: no byte of a body is read but to learn whether there is one (request-content.ts).
  app.addContentTypeParser('*', (request, payload, done) => {
    // Either order of a repeated Content-Type is the same 400 (above): the first line alone
    // decided which parser ran, and `text/plain` first answered 415.
    const repeatedType = repeatedTypeProblem(request);
    if (repeatedType !== undefined) {
      done(repeatedType);
      return;
    }
    // No content is no body, whatever its Content-Type says of it: an empty chunked body without
    // a type was 415 where `Content-Length: 0` was none, and a `text/plain` POST without a body
    // was told to send application/json, which then got EMPTY_JSON_BODY. As none, a route that
    // reads JSON says it needs some (openapi/contract.input.ts), one that takes none takes it.
    requestContent(request.raw, payload, (content) => {
      if (content === 'none') done(null, undefined);
      else done(content === 'some' ? unsupportedType(request) : content);
    });
  });
}

/**
 * Whether `application/json` without content is no body here, rather than EMPTY_JSON_BODY.
 * Generic clients send their JSON Content-Type on every call, and fetch, Go and Python's
 * requests frame a POST without a body as `Content-Length: 0`: such a counter increment, or
 * `POST /readyz/disable` on the admin port, was 400 where the same request without the length
 * (curl's) was served. So it is no body on a DELETE (its content has no defined meaning, RFC
 * 9110 §9.3.5) and on a route whose contract takes none or takes one optionally (read
 * structurally, as bodyless-route.check.ts does: openapi/ sits above this layer). A route whose
 * JSON is its required input still says the body is empty.
 */
function emptyIsNoBody(request: FastifyRequest): boolean {
  if (request.method === 'DELETE') return true;
  const { contract } = (request.routeOptions.config ?? {}) as {
    contract?: { body?: { required: boolean } };
  };
  return contract !== undefined && contract.body?.required !== true;
}

/** The body fields the route takes as integers, from its route options (none without). */
function integerFieldsOf(request: FastifyRequest): ReadonlySet<string> | undefined {
  return (request.routeOptions.config as { integerFields?: ReadonlySet<string> } | undefined)
    ?.integerFields;
}

/**
 * The answer to a refused body. Text that is not JSON is Fastify's own error (400
 * MALFORMED_JSON, errors/problem.ts); valid JSON refused for a `__proto__` or `constructor` key
 * is a refused field, named as an unknown one is, not "not valid JSON".
 */
function refused(reading: Exclude<StrictJsonReading, { kind: 'value' }>): Error {
  switch (reading.kind) {
    case 'too-costly':
      return new MalformedJsonError(reading.detail);
    case 'not-json':
      return new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
    case 'forbidden-key':
      return new InvalidInputError([
        { field: reading.key, message: 'a key this API never accepts' },
      ]);
    case 'repeated-key':
      return new InvalidInputError([{ field: reading.pointer, message: REPEATED_KEY }]);
  }
}
