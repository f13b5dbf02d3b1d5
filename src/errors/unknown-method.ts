import { METHODS } from 'node:http';

/** What Node's parser says about the bytes it refused ('clientError'): where and in what. */
export interface ParserError {
  code?: string;
  /** The packet being parsed when it failed: a Buffer (Fastify's type says otherwise). */
  rawPacket?: unknown;
  /** Where in `rawPacket` it failed. */
  bytesParsed?: number;
}

/**
 * A method as RFC 9110 §9.1 spells it: a token (§5.6.2, 1*tchar). The probe thread gets this
 * pattern as workerData (health/probe.server.ts), so the ports tell a method from garbage alike.
 */
export const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The longest method a 501's detail repeats whole; a longer one is cut. */
export const LONGEST_METHOD_SHOWN = 40;

const LF = 0x0a;
const SP = 0x20;

/**
 * The method of a request line llhttp refused for its method (HPE_INVALID_METHOD), when it is a
 * well-formed one this server does not know (`FOO`, `get`): RFC 9110 §9.1 says methods are
 * case-sensitive and a server SHOULD answer one it does not recognise 501. llhttp knows every
 * method Node serves, so nothing else can tell. Undefined when the bytes before the line's first
 * space are no token (a TLS hello sent to the plain port, a tab for the space): that is an
 * unreadable request line, 400 (RFC 9112 §3). The line is the one llhttp stopped in, found back
 * from where it stopped, so a request pipelined before it in the same packet does not count.
 * Only on the parser's error path: a request Node parsed never comes here.
 */
export function unknownMethod(error: ParserError): string | undefined {
  const packet = error.rawPacket;
  if (error.code !== 'HPE_INVALID_METHOD' || !Buffer.isBuffer(packet)) return undefined;
  const at = error.bytesParsed ?? 0;
  const start = at === 0 ? 0 : packet.lastIndexOf(LF, at - 1) + 1;
  const end = packet.indexOf(SP, start);
  if (end <= start) return undefined;
  const method = packet.toString('latin1', start, end);
  return METHOD_TOKEN.test(method) ? method : undefined;
}

/**
 * A 501's detail for `method`, naming the method it was likely meant to be when only its case is
 * wrong. The probe thread builds the same text (health/probe.worker.ts).
 */
export function methodNotImplementedDetail(method: string): string {
  const upper = method.toUpperCase();
  const hint =
    upper !== method && METHODS.includes(upper)
      ? ` (methods are case-sensitive: send ${upper})`
      : '';
  const shown =
    method.length <= LONGEST_METHOD_SHOWN ? method : `${method.slice(0, LONGEST_METHOD_SHOWN)}…`;
  return `${shown} is not implemented here${hint}.`;
}
