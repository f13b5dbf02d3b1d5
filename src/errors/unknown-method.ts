import http, { METHODS } from 'node:http';
import type { Socket } from 'node:net';
import { cut, LONGEST_TEXT } from './client-text.js';

/** What Node's parser says about the bytes it refused ('clientError'): where and in what. */
export interface ParserError {
  code?: string;
  /** The packet being parsed when it failed: a Buffer (Fastify's type says otherwise). */
  rawPacket?: unknown;
  /** Where in `rawPacket` it failed. */
  bytesParsed?: number;
}

/**
 * The tchars (RFC 9110 §5.6.2) a text starts with: a method as §9.1 spells it is a token,
 * 1*tchar. The probe thread gets this pattern as workerData (health/probe.server.ts), so the
 * ports tell a method from garbage alike.
 */
export const TOKEN_START = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*/;

/**
 * How much of a method is kept while it is read: one character past what `cut` repeats, so a
 * longer one is still told from one that fits. The probe thread keeps as much
 * (health/probe.client-error.ts).
 */
export const LONGEST_METHOD_KEPT = LONGEST_TEXT + 1;

/**
 * The longest method read: a request line past Node's header limit (16 KiB) is 431, whatever
 * its method, and the wait for a method's end stops there. The probe thread's is its own Node's.
 * (A getter of node:http, reached through its default export: scripts/bundle-builtins.mjs.)
 */
export const LONGEST_METHOD_READ = http.maxHeaderSize;

/** What the request line llhttp refused for its method makes of it, as far as it has arrived. */
export type MethodReading =
  /** A token ended by a space: 501. `partial` when its start came before the bytes seen. */
  | { kind: 'method'; method: string; partial: boolean }
  /** Not a token, or not ended by a space: an unreadable request line, 400. */
  | { kind: 'not-a-method' }
  /** Longer than LONGEST_METHOD_READ: 431. */
  | { kind: 'too-long' }
  /** The packet ended inside the method: its end is in a later one. */
  | { kind: 'unfinished' };

const LF = 0x0a;
const SP = 0x20;

/** A method whose end has not arrived yet: its first bytes, its length so far. */
interface Unfinished {
  head: string;
  length: number;
  partial: boolean;
}

/**
 * The method of a request line llhttp refused for its method (HPE_INVALID_METHOD), read across
 * the packets it arrives in. RFC 9110 §9.1: methods are case-sensitive, and a server SHOULD answer
 * one it does not recognise 501; llhttp knows every method Node serves, so a well-formed method
 * it refuses (`FOO`, `get`) is 501, while bytes that are no token before the line's first space
 * (a TLS hello sent to the plain port, a tab for the space) are an unreadable request line, 400
 * (RFC 9112 §3). Only on the parser's error path: a request Node parsed never comes here.
 *
 * llhttp refuses at the first byte no method it knows can have there, often before the method's
 * end: `BR|EW /` split after `BR` failed in a packet without the space, and was 400 where the
 * same bytes in one packet were 501. The parser stays failed and reports each later packet of
 * the connection again, so an unfinished method is read on in them (`unfinished` until its end
 * arrives); a client that stops sending meets the headers timeout (408), as any unfinished request
 * line does. What came before the failing packet was taken by the parser, out of reach here: a
 * method that began there (`F|OO /`, refused at the second packet's first byte) is still 501,
 * named by what was seen (`partial`).
 */
export class RefusedMethodReader {
  private readonly unfinished = new WeakMap<Socket, Unfinished>();

  /** The reading of `error` on `socket`; undefined when it is not a refused method. */
  read(error: ParserError, socket: Socket): MethodReading | undefined {
    const packet = error.rawPacket;
    if (error.code !== 'HPE_INVALID_METHOD' || !Buffer.isBuffer(packet)) return undefined;
    const before = this.unfinished.get(socket);
    this.unfinished.delete(socket);
    // A later packet of a method already begun: all of it continues that method.
    const start = before ? 0 : lineStart(packet, error.bytesParsed ?? 0);
    const partial = before?.partial ?? (start === 0 && earlierBytes(socket, packet));
    const token = (TOKEN_START.exec(packet.toString('latin1', start)) as RegExpExecArray)[0];
    const end = start + token.length;
    const length = (before?.length ?? 0) + token.length;
    if (length > LONGEST_METHOD_READ) return { kind: 'too-long' };
    const shown = ((before?.head ?? '') + token).slice(0, LONGEST_METHOD_KEPT);
    if (end === packet.length) {
      this.unfinished.set(socket, { head: shown, length, partial });
      return { kind: 'unfinished' };
    }
    // The space after no byte of a method is no method, unless some of it came before.
    if (packet[end] !== SP || (length === 0 && !partial)) return { kind: 'not-a-method' };
    return { kind: 'method', method: shown, partial };
  }
}

/**
 * Where the line llhttp stopped in begins in `packet` (it stopped at `at`), so a request
 * pipelined before it in the same packet does not count. Empty lines before a request line are
 * skipped by the parser, and here.
 */
function lineStart(packet: Buffer, at: number): number {
  return at === 0 ? 0 : packet.lastIndexOf(LF, at - 1) + 1;
}

/**
 * Whether the refused line may have begun before `packet`: the connection read bytes before it
 * and nothing was answered or is being answered on it, so they were not an earlier request's
 * (a leading empty line aside). After an answer they most likely were, and the line is taken to
 * begin with the packet, as it does when a kept-alive client's next request comes on its own.
 */
function earlierBytes(socket: Socket, packet: Buffer): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  return socket.bytesRead > packet.length && socket.bytesWritten === 0 && !inFlight;
}

/**
 * A 501's detail for `method`, naming the method it was likely meant to be when only its case is
 * wrong; for a `partial` one, the part seen. The probe thread builds the same text
 * (health/probe.client-error.ts).
 */
export function methodNotImplementedDetail(method: string, partial = false): string {
  const shown = cut(method);
  if (partial) return `The method …${shown} is not implemented here.`;
  const upper = method.toUpperCase();
  const hint =
    upper !== method && METHODS.includes(upper)
      ? ` (methods are case-sensitive: send ${upper})`
      : '';
  return `${shown} is not implemented here${hint}.`;
}
